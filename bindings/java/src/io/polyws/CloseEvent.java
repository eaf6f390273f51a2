package io.polyws;

/** The connection is closed: code, reason, wasClean (and what was never sent). */
public final class CloseEvent extends Event {
  private final int code;
  private final String reason;
  private final boolean wasClean;
  private final boolean willReconnect;
  private final long unsentMessages;
  private final long unsentBytes;

  CloseEvent(WebSocket target, int code, String reason, boolean wasClean, boolean willReconnect,
      long unsentMessages, long unsentBytes) {
    super(EventType.CLOSE, target);
    this.code = code;
    this.reason = reason;
    this.wasClean = wasClean;
    this.willReconnect = willReconnect;
    this.unsentMessages = unsentMessages;
    this.unsentBytes = unsentBytes;
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

  /**
   * A reconnect event follows (only with {@link WebSocketBuilder#reconnect});
   * false for the last close event of a socket.
   */
  public boolean willReconnect() {
    return willReconnect;
  }

  /** Messages accepted by send() on this connection that were never (fully) sent. */
  public long unsentMessages() {
    return unsentMessages;
  }

  /** Their bytes not sent (the connection's bufferedAmount at its end). */
  public long unsentBytes() {
    return unsentBytes;
  }

  @Override
  public String toString() {
    return "close event: " + code + " '" + reason + "' wasClean=" + wasClean
        + (willReconnect ? " (reconnecting)" : "");
  }
}
