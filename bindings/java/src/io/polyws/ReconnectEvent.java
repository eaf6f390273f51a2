package io.polyws;

/**
 * A new connection is starting after an unexpected end (only with
 * {@link WebSocketBuilder#reconnect}); readyState is CONNECTING again, and
 * open (or error and close) follow. Not a browser event.
 */
public final class ReconnectEvent extends Event {
  private final int attempt;

  ReconnectEvent(WebSocket target, int attempt) {
    super(EventType.RECONNECT, target);
    this.attempt = attempt;
  }

  /** Which attempt this is, from 1 (the count restarts after an open). */
  public int attempt() {
    return attempt;
  }

  @Override
  public String toString() {
    return "reconnect event: attempt " + attempt;
  }
}
