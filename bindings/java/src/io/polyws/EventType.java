package io.polyws;

/** The event types, typed by the event class their listeners receive. */
public final class EventType<E extends Event> {
  public static final EventType<Event> OPEN = new EventType<>("open", 1);
  public static final EventType<MessageEvent> MESSAGE = new EventType<>("message", 2);
  public static final EventType<ErrorEvent> ERROR = new EventType<>("error", 3);
  public static final EventType<CloseEvent> CLOSE = new EventType<>("close", 4);
  /** Only with {@link WebSocketBuilder#reconnect}: a new connection starts. */
  public static final EventType<ReconnectEvent> RECONNECT = new EventType<>("reconnect", 5);

  private final String name;
  final int code;

  private EventType(String name, int code) {
    this.name = name;
    this.code = code;
  }

  /** "open", "message", "error", "close" or "reconnect". */
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return name;
  }
}
