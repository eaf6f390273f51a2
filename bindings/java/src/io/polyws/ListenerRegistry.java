package io.polyws;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * A socket's listeners, per event type, in the browser's order: listeners
 * added with addEventListener and the one handler per type (onmessage, ...),
 * which keeps the position where it was first set. Adding and removing is
 * thread-safe; a removed listener is not called from then on, even by an
 * event already being dispatched.
 */
final class ListenerRegistry {
  private static volatile BiConsumer<WebSocket, Throwable> errorHandler = null;

  private static final class Registration {
    final Listener<Event> listener;
    final boolean handler;
    volatile Listener<Event> current; // null once removed

    Registration(Listener<Event> listener, boolean handler) {
      this.listener = listener;
      this.handler = handler;
      this.current = listener;
    }
  }

  @SuppressWarnings("unchecked")
  private final List<Registration>[] byType = new List[6];
  private int count; // guarded by byType

  ListenerRegistry() {
    for (int i = 0; i < byType.length; i++) byType[i] = new CopyOnWriteArrayList<>();
  }

  @SuppressWarnings("unchecked")
  static Listener<Event> cast(Object l) {
    return (Listener<Event>) l;
  }

  /** Whether any listener or handler is registered (the socket is then kept reachable). */
  boolean isEmpty() {
    synchronized (byType) {
      return count == 0;
    }
  }

  /**
   * A handler replaces the type's handler in place; a listener is appended
   * unless it is already there (adding it twice has no effect).
   */
  void add(EventType<?> type, Listener<Event> l, boolean handler) {
    List<Registration> list = byType[type.code];
    synchronized (byType) {
      if (handler) {
        for (Registration r : list)
          if (r.handler) {
            r.current = l;
            return;
          }
      } else {
        for (Registration r : list)
          if (!r.handler && r.listener == l) return;
      }
      list.add(new Registration(l, handler));
      count++;
    }
  }

  /** Removes the listener {@code l}, or with {@code handler} the type's handler. */
  void remove(EventType<?> type, Listener<?> l, boolean handler) {
    List<Registration> list = byType[type.code];
    synchronized (byType) {
      for (Registration r : list)
        if (handler ? r.handler : (!r.handler && r.listener == l)) {
          r.current = null;
          list.remove(r);
          count--;
          return;
        }
    }
  }

  /** Runs the event's listeners in order; one that throws is reported and the others still run. */
  void fire(Event e) {
    for (Registration r : byType[e.type().code]) {
      Listener<Event> l = r.current;
      if (l == null) continue;
      try {
        l.handle(e);
      } catch (Throwable t) {
        report(e.target(), t);
      }
    }
  }

  static void setErrorHandler(BiConsumer<WebSocket, Throwable> handler) {
    errorHandler = handler;
  }

  /** A listener of {@code ws} threw: to the error handler, else to stderr. */
  static void report(WebSocket ws, Throwable t) {
    BiConsumer<WebSocket, Throwable> h = errorHandler;
    if (h != null) {
      try {
        h.accept(ws, t);
        return;
      } catch (Throwable again) {
        t.addSuppressed(again);
      }
    }
    System.err.println("polyws: a listener of " + (ws == null ? "?" : ws.url()) + " threw:");
    t.printStackTrace();
  }
}
