package io.polyws;

import io.polyws.internal.PolywsNative;
import io.polyws.internal.PolywsNativeConstants;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Where a socket's events run: one native loop (its own I/O thread does the
 * networking) and the Java side that takes its events with
 * {@code ws_loop_next_event()} and runs the listeners. Native code never calls
 * into Java: a Java thread calls down, copies each event into a Java object,
 * and dispatches it. Listeners therefore never run on the I/O thread, and never
 * two at a time for one socket.
 *
 * <p>Three ways to run them:
 * <ul>
 *   <li>the default: every socket built without {@link WebSocketBuilder#eventLoop}
 *       shares one loop whose daemon thread "polyws-dispatcher" runs listeners;
 *   <li>{@link #withThread(String)}: a loop with its own dispatcher thread (for
 *       sockets whose listeners must not wait behind others);
 *   <li>{@link #create()}: a loop the host drives: listeners run inside
 *       {@link #dispatch(long)}, on the thread that calls it (a game loop, a UI
 *       thread, a test); nothing happens between calls.
 * </ul>
 * A socket may also hand its events to an {@link java.util.concurrent.Executor}
 * ({@link WebSocketBuilder#executor}), still one at a time, in order.
 *
 * <p><b>Inline I/O</b> ({@link #createWithInlineIo()},
 * {@link #withThreadAndInlineIo(String)}; the C API's
 * {@code WS_DELIVERY_HOST_DRIVEN}): the loop has no library I/O thread; the
 * thread that takes its events (the caller of {@link #dispatch(long)}, or the
 * loop's own dispatcher thread) does the network I/O while it waits, and a
 * {@code send} made on that thread (from a listener) or while no thread
 * dispatches is written to the network within the call. No message crosses
 * between threads, so request/response traffic runs much faster. The
 * trade-off with {@link #createWithInlineIo()}: nothing moves between
 * dispatch() calls (connecting, reading, pings, the closing handshake,
 * timeouts), so call it often; {@link #fd()} is -1. With a dispatcher thread,
 * that thread always waits inside the library, so only the speed changes; a
 * send from another thread is handed to it and wakes it.
 *
 * <p>Closing a loop releases the sockets still on it (as {@code ws_free()}:
 * 1001 going away, no further events) and then the native loop. A loop that
 * becomes unreachable without close() is released the same way.
 */
public final class EventLoop implements AutoCloseable {
  private static final int POLL_MS = 250;
  /** At most this many events per dispatch() call, so a flood cannot hold the caller. */
  private static final int MAX_BATCH = 4096;
  private static EventLoop shared;

  /**
   * The native loop and its sockets: what the Cleaner and close() release.
   * Sockets refer to this, never to the EventLoop, so that a host-driven loop
   * the program dropped can be collected (nobody can dispatch it any more).
   */
  static final class State implements Runnable {
    final long loop;
    final ConcurrentHashMap<Long, SocketRef> sockets = new ConcurrentHashMap<>();
    boolean freed; // guarded by this

    State(long loop) {
      this.loop = loop;
    }

    void unregister(long ws, SocketRef ref) {
      sockets.remove(ws, ref);
    }

    @Override
    public void run() {
      ArrayList<SocketRef> refs = new ArrayList<>(sockets.values());
      for (SocketRef r : refs) r.nat.free();
      synchronized (this) {
        if (freed) return;
        freed = true;
      }
      PolywsNative.ws_loop_free(loop);
    }
  }

  /** A registered socket: held weakly, and strongly while it has listeners or futures. */
  static final class SocketRef extends WeakReference<WebSocket> {
    final NativeSocket nat;
    volatile WebSocket strong;

    SocketRef(WebSocket ws, NativeSocket nat) {
      super(ws);
      this.nat = nat;
    }
  }

  private final State state;
  private final Thread thread; // null: the host calls dispatch()
  private final boolean inlineIo; // WS_DELIVERY_HOST_DRIVEN: no library I/O thread
  private final Object dispatchLock = new Object();
  private volatile boolean closed;
  private Thread dispatching; // guarded by dispatchLock

  static synchronized EventLoop shared() {
    if (shared == null) shared = new EventLoop("polyws-dispatcher", false);
    return shared;
  }

  /** A loop whose listeners run in {@link #dispatch(long)}, on the caller's thread. */
  public static EventLoop create() {
    return new EventLoop(null, false);
  }

  /** A loop with its own daemon dispatcher thread of this name. */
  public static EventLoop withThread(String threadName) {
    return new EventLoop(java.util.Objects.requireNonNull(threadName, "threadName"), false);
  }

  /**
   * As {@link #create()}, with inline I/O (see the class comment): dispatch()
   * also does the network I/O, on the calling thread. The fastest loop for a
   * thread that both sends and receives; nothing moves between dispatch() calls.
   */
  public static EventLoop createWithInlineIo() {
    return new EventLoop(null, true);
  }

  /**
   * As {@link #withThread(String)}, with inline I/O (see the class comment):
   * the dispatcher thread does the network I/O too, so a listener's send goes
   * out within the call.
   */
  public static EventLoop withThreadAndInlineIo(String threadName) {
    return new EventLoop(java.util.Objects.requireNonNull(threadName, "threadName"), true);
  }

  private EventLoop(String threadName, boolean inlineIo) {
    this.inlineIo = inlineIo;
    long[] out = new long[1];
    int rc = PolywsNative.ws_loop_new(inlineIo ? PolywsNativeConstants.WS_DELIVERY_HOST_DRIVEN
        : PolywsNativeConstants.WS_DELIVERY_DISPATCH, out);
    Results.check(rc);
    state = new State(out[0]);
    if (threadName == null) {
      thread = null;
      NativeSocket.CLEANER.register(this, state);
    } else {
      thread = new Thread(this::run, threadName);
      thread.setDaemon(true);
      thread.start();
    }
  }

  long handle() {
    if (closed) throw new IllegalStateException("the event loop is closed");
    return state.loop;
  }

  /** True when the host runs listeners with {@link #dispatch(long)}. */
  public boolean isHostDriven() {
    return thread == null;
  }

  /** True when the thread taking events also does the network I/O (no library I/O thread). */
  public boolean hasInlineIo() {
    return inlineIo;
  }

  SocketRef register(long ws, WebSocket socket, NativeSocket nat) {
    SocketRef ref = new SocketRef(socket, nat);
    state.sockets.put(ws, ref);
    return ref;
  }

  State state() {
    return state;
  }

  /** Copies one native event into Java and runs (or queues) its listeners. */
  private void deliver(long ev) {
    SocketRef ref = state.sockets.get(PolywsNative.ws_event_socket(ev));
    WebSocket socket = ref == null ? null : ref.get();
    if (socket == null) return; // unreachable: its Cleaner releases it
    try {
      socket.take(ev);
    } catch (Throwable t) {
      ListenerRegistry.report(socket, t);
    }
  }

  private void run() {
    long[] out = new long[1];
    while (!closed) {
      out[0] = 0;
      int rc = PolywsNative.ws_loop_next_event(state.loop, POLL_MS, out);
      if (rc == 0 && out[0] != 0) deliver(out[0]);
    }
    state.run();
  }

  /** As {@link #dispatch(long)}. */
  public int dispatch(Duration timeout) {
    return dispatch(timeout.toMillis());
  }

  /**
   * Runs the events waiting on this loop, on the calling thread: waits up to
   * {@code timeoutMs} for the first one (0: do not wait; negative: until one
   * arrives), then runs events until none waits (at most 4096 per call).
   * Only one thread dispatches at a time; others wait their turn.
   *
   * @return how many events were taken (0 when the wait timed out or the loop is closed).
   * @throws IllegalStateException on a loop with its own thread, or when called
   *     from a listener of this loop (dispatch does not nest).
   */
  public int dispatch(long timeoutMs) {
    if (thread != null) throw new IllegalStateException("this loop has its own dispatcher thread");
    int wait = (int) Math.max(-1, Math.min(timeoutMs, Integer.MAX_VALUE));
    synchronized (dispatchLock) {
      if (dispatching == Thread.currentThread())
        throw new IllegalStateException("dispatch() called from a listener of the same loop");
      if (closed) return 0;
      dispatching = Thread.currentThread();
      int n = 0;
      try {
        long[] out = new long[1];
        // The first wait in slices, so that close() from another thread is
        // seen within POLL_MS even while this one waits without a limit.
        long start = System.nanoTime();
        while (!closed) {
          int slice = wait < 0 ? POLL_MS : (int) Math.min(POLL_MS,
              Math.max(0, wait - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
          out[0] = 0;
          int rc = PolywsNative.ws_loop_next_event(state.loop, slice, out);
          Results.check(rc);
          if (out[0] != 0) break;
          if (wait >= 0 && TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) >= wait) break;
        }
        while (out[0] != 0) {
          n++;
          deliver(out[0]);
          if (n >= MAX_BATCH || closed) break;
          out[0] = 0;
          int rc = PolywsNative.ws_loop_next_event(state.loop, 0, out);
          Results.check(rc);
        }
      } finally {
        dispatching = null;
        if (closed) state.run();
      }
      return n;
    }
  }

  /**
   * A file descriptor readable while events wait (for hosts that poll file
   * descriptors through JNI or a native loop); -1 on a loop with its own
   * thread or with inline I/O. Do not read or close it.
   */
  public int fd() {
    return thread == null ? PolywsNative.ws_loop_fd(handle()) : -1;
  }

  /**
   * Releases the sockets still on this loop (1001 going away, no further
   * events) and the loop. Idempotent. Not for the shared default loop.
   */
  @Override
  public void close() {
    if (this == shared) throw new IllegalStateException("the shared loop is never closed");
    if (closed) return;
    closed = true;
    if (thread != null) {
      if (Thread.currentThread() != thread) {
        try {
          thread.join(10_000); // the thread sees `closed` within POLL_MS of its wait
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return; // the thread releases everything on its way out
    }
    synchronized (dispatchLock) {
      // From a listener inside dispatch(), dispatch() releases on its way out.
      if (dispatching == null) state.run();
    }
  }
}
