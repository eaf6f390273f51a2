package io.polyws;

/** The connection failed; a close event (1006) follows. */
public final class ErrorEvent extends Event {
  private final String message;

  ErrorEvent(WebSocket target, String message) {
    super(EventType.ERROR, target);
    this.message = message;
  }

  /** Why, readable (e.g. "connection refused"); a browser gives no reason. */
  public String message() {
    return message;
  }

  @Override
  public String toString() {
    return "error event: " + message;
  }
}
