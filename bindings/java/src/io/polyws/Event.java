package io.polyws;

/** An event of a WebSocket: open, and the base of the others. */
public class Event {
  private final EventType<?> type;
  private final WebSocket target;

  Event(EventType<?> type, WebSocket target) {
    this.type = type;
    this.target = target;
  }

  public EventType<?> type() {
    return type;
  }

  /** The socket the event belongs to. */
  public WebSocket target() {
    return target;
  }

  @Override
  public String toString() {
    return type.name() + " event";
  }
}
