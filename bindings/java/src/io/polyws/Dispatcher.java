package io.polyws;

import io.polyws.internal.PolywsNative;
import io.polyws.internal.PolywsNativeConstants;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One native loop (WS_DELIVERY_DISPATCH) and the binding-owned thread that
 * pulls its events with ws_loop_next_event() and runs the listeners. Native
 * code never calls into Java: this thread calls down, copies each event into
 * a Java object, and dispatches it.
 */
final class Dispatcher {
  private static final int POLL_MS = 250;
  private static Dispatcher shared;

  final long loop;
  private final ConcurrentHashMap<Long, WebSocket> sockets = new ConcurrentHashMap<>();
  private final Thread thread;

  static synchronized Dispatcher shared() {
    if (shared == null) shared = new Dispatcher("polyws-dispatcher");
    return shared;
  }

  private Dispatcher(String name) {
    long[] out = new long[1];
    int rc = PolywsNative.ws_loop_new(PolywsNativeConstants.WS_DELIVERY_DISPATCH, out);
    if (rc != 0) throw WebSocket.failure(rc, PolywsNative.ws_last_error(0));
    loop = out[0];
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  boolean isDispatchThread() {
    return Thread.currentThread() == thread;
  }

  void register(long ws, WebSocket socket) {
    sockets.put(ws, socket);
  }

  void unregister(long ws) {
    sockets.remove(ws);
  }

  private void run() {
    long[] out = new long[1];
    for (;;) {
      out[0] = 0;
      int rc = PolywsNative.ws_loop_next_event(loop, POLL_MS, out);
      if (rc != 0 || out[0] == 0) continue;
      long ev = out[0];
      WebSocket socket = sockets.get(PolywsNative.ws_event_socket(ev));
      if (socket == null) continue;
      try {
        socket.take(ev);
      } catch (Throwable t) {
        WebSocket.reportListenerError(socket, t);
      }
    }
  }
}
