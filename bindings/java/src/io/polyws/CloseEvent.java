package io.polyws;

/** The connection is closed: code, reason, wasClean. */
public final class CloseEvent extends Event {
  private final int code;
  private final String reason;
  private final boolean wasClean;

  CloseEvent(WebSocket target, int code, String reason, boolean wasClean) {
    super(EventType.CLOSE, target);
    this.code = code;
    this.reason = reason;
    this.wasClean = wasClean;
  }

  /** 1005 when the close frame had no code, 1006 when there was no closing handshake. */
  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }

  public boolean wasClean() {
    return wasClean;
  }

  @Override
  public String toString() {
    return "close event: " + code + " '" + reason + "' wasClean=" + wasClean;
  }
}
