package io.polyws;

import io.polyws.internal.PolywsNative;
import io.polyws.internal.PolywsNativeConstants;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;

/**
 * The browser's {@code WebSocket} for Java, over the polyws C API.
 *
 * <pre>{@code
 * WebSocket ws = WebSocket.builder("ws://127.0.0.1:9001/")
 *     .onOpen(e -> e.target().send("hello"))
 *     .onMessage(e -> System.out.println(e.text()))
 *     .onClose(e -> System.out.println(e.code() + " " + e.reason()))
 *     .build();
 * }</pre>
 *
 * Where a browser throws SyntaxError (bad URL or protocol, close reason too
 * long) or InvalidAccessError (bad close code) this throws
 * IllegalArgumentException; InvalidStateError (send while CONNECTING) is
 * IllegalStateException. Listeners run on the loop's dispatcher thread (or
 * the Executor given to the builder), one at a time per socket. Listeners
 * given to the builder are in place before the connection starts, so they
 * see every event; a listener added later misses events already dispatched.
 * Every method is thread-safe. The native socket is released once the close
 * event is dispatched; the getters keep their last values.
 */
public final class WebSocket implements AutoCloseable {
  public static final int CONNECTING = 0;
  public static final int OPEN = 1;
  public static final int CLOSING = 2;
  public static final int CLOSED = 3;

  private static volatile BiConsumer<WebSocket, Throwable> errorHandler = null;

  private final Dispatcher dispatcher;
  private final Executor executor;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private long handle; // 0 once released; guarded by lock
  private final String url;
  private String protocol = "";
  private String extensions = "";
  private long finalBufferedAmount;
  @SuppressWarnings("unchecked")
  private final List<Registration>[] listeners = new List[5];
  private final ArrayDeque<Event> queue = new ArrayDeque<>();
  private boolean draining;

  private static final class Registration {
    final Listener<Event> listener;
    final boolean handler;
    volatile Listener<Event> current;

    Registration(Listener<Event> listener, boolean handler) {
      this.listener = listener;
      this.handler = handler;
      this.current = listener;
    }
  }

  /** new WebSocket(url, protocols): connects at once (see the class comment). */
  public WebSocket(String url, String... protocols) {
    this(new Builder(url).protocols(protocols));
  }

  public static Builder builder(String url) {
    return new Builder(url);
  }

  private WebSocket(Builder b) {
    for (int i = 0; i < listeners.length; i++) listeners[i] = new CopyOnWriteArrayList<>();
    dispatcher = Dispatcher.shared();
    executor = b.executor;
    long[] out = new long[1];
    int rc = PolywsNative.ws_options_new(out);
    if (rc != 0) throw failure(rc, "ws_options_new");
    long options = out[0];
    long ws;
    try {
      check0(PolywsNative.ws_options_set_deferred_connect(options, true));
      if (b.connectTimeoutMs >= 0)
        check0(PolywsNative.ws_options_set_connect_timeout_ms(options, b.connectTimeoutMs));
      for (String[] h : b.headers) check0(PolywsNative.ws_options_add_header(options, h[0], h[1]));
      if (b.caFile != null) check0(PolywsNative.ws_options_set_ca_file(options, b.caFile));
      out[0] = 0;
      check0(PolywsNative.ws_new_ex(dispatcher.loop, Objects.requireNonNull(b.url, "url"),
          b.protocols, options, out));
      ws = out[0];
    } finally {
      PolywsNative.ws_options_free(options);
    }
    handle = ws;
    url = PolywsNative.ws_url(ws);
    for (Object[] l : b.listeners) addRegistration((EventType<?>) l[0], cast(l[1]), (Boolean) l[2]);
    dispatcher.register(ws, this);
    int crc = PolywsNative.ws_connect(ws);
    if (crc != 0) {
      dispatcher.unregister(ws);
      release();
      throw failure(crc, "ws_connect");
    }
  }

  /** Throws for a failure reported through ws_last_error(NULL). */
  private static void check0(int rc) {
    if (rc != 0) throw failure(rc, PolywsNative.ws_last_error(0));
  }

  static RuntimeException failure(int rc, String message) {
    switch (rc) {
      case PolywsNativeConstants.WS_ERR_SYNTAX:
        return new IllegalArgumentException("SyntaxError: " + message);
      case PolywsNativeConstants.WS_ERR_INVALID_STATE:
        return new IllegalStateException("InvalidStateError: " + message);
      case PolywsNativeConstants.WS_ERR_INVALID_ACCESS:
        return new IllegalArgumentException("InvalidAccessError: " + message);
      case PolywsNativeConstants.WS_ERR_INVALID_ARGUMENT:
      case PolywsNativeConstants.WS_ERR_INVALID_UTF8:
        return new IllegalArgumentException(message);
      default:
        return new WebSocketException(rc, PolywsNative.ws_result_str(rc) + ": " + message);
    }
  }

  // ---- attributes -----------------------------------------------------------

  /** CONNECTING, OPEN, CLOSING or CLOSED. */
  public int readyState() {
    lock.readLock().lock();
    try {
      return handle == 0 ? CLOSED : PolywsNative.ws_ready_state(handle);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The serialized URL ("https://h/" reads "wss://h/"). */
  public String url() {
    return url;
  }

  /** The subprotocol the server selected; "" before open or when none. */
  public String protocol() {
    lock.readLock().lock();
    try {
      return handle == 0 ? protocol : PolywsNative.ws_protocol(handle);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The extensions the server accepted; "" before open. */
  public String extensions() {
    lock.readLock().lock();
    try {
      return handle == 0 ? extensions : PolywsNative.ws_extensions(handle);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Payload bytes accepted by send() and not yet handed to the network. */
  public long bufferedAmount() {
    lock.readLock().lock();
    try {
      return handle == 0 ? finalBufferedAmount : PolywsNative.ws_buffered_amount(handle);
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---- methods ----------------------------------------------------------------

  /** send(text). @throws IllegalStateException while CONNECTING. */
  public void send(String text) {
    sendBytes(Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8), false);
  }

  /** send(binary); the bytes are copied. @throws IllegalStateException while CONNECTING. */
  public void send(byte[] data) {
    sendBytes(Objects.requireNonNull(data, "data"), true);
  }

  private void sendBytes(byte[] data, boolean binary) {
    lock.readLock().lock();
    try {
      if (handle == 0) return; // CLOSED: discarded, as in a browser
      int rc = binary ? PolywsNative.ws_send_binary(handle, data)
                      : PolywsNative.ws_send_text(handle, data);
      // A full send buffer fails the connection (error, close 1006): no throw.
      if (rc != 0 && rc != PolywsNativeConstants.WS_ERR_BUFFER_FULL)
        throw failure(rc, PolywsNative.ws_last_error(handle));
    } finally {
      lock.readLock().unlock();
    }
  }

  /** close() with no code. */
  @Override
  public void close() {
    close(0, null);
  }

  public void close(int code) {
    close(code, null);
  }

  /**
   * close(code, reason). @throws IllegalArgumentException for a code other
   * than 1000 or 3000-4999 (InvalidAccessError) or a reason over 123 UTF-8
   * bytes (SyntaxError).
   */
  public void close(int code, String reason) {
    if (code != 0 && (code < 0 || code > 0xffff))
      throw failure(PolywsNativeConstants.WS_ERR_INVALID_ACCESS, "close code " + code);
    lock.readLock().lock();
    try {
      if (handle == 0) {
        if (code != 0 && code != 1000 && (code < 3000 || code > 4999))
          throw failure(PolywsNativeConstants.WS_ERR_INVALID_ACCESS, "close code " + code);
        return;
      }
      int rc = PolywsNative.ws_close(handle, code, reason);
      if (rc != 0) throw failure(rc, PolywsNative.ws_last_error(handle));
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---- listeners ----------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private static Listener<Event> cast(Object l) {
    return (Listener<Event>) l;
  }

  private void addRegistration(EventType<?> type, Listener<Event> l, boolean handler) {
    List<Registration> list = listeners[type.code];
    synchronized (list) {
      if (handler) {
        for (Registration r : list)
          if (r.handler) {
            r.current = l;
            return;
          }
      } else {
        for (Registration r : list)
          if (!r.handler && r.listener == l) return; // added twice: no effect
      }
      list.add(new Registration(l, handler));
    }
  }

  /** addEventListener(type, listener); adding the same listener twice has no effect. */
  public <E extends Event> void addEventListener(EventType<E> type, Listener<? super E> listener) {
    addRegistration(type, cast(Objects.requireNonNull(listener, "listener")), false);
  }

  /** removeEventListener(type, listener): it is not called from now on. */
  public <E extends Event> void removeEventListener(EventType<E> type, Listener<? super E> listener) {
    List<Registration> list = listeners[type.code];
    synchronized (list) {
      for (Registration r : list)
        if (!r.handler && r.listener == listener) {
          r.current = null;
          list.remove(r);
          return;
        }
    }
  }

  private void setHandler(EventType<?> type, Listener<Event> l) {
    if (l != null) {
      addRegistration(type, l, true);
      return;
    }
    List<Registration> list = listeners[type.code];
    synchronized (list) {
      for (Registration r : list)
        if (r.handler) {
          r.current = null;
          list.remove(r);
          return;
        }
    }
  }

  /** The onopen handler (null removes it); it keeps the position where it was first set. */
  public void onOpen(Listener<? super Event> l) {
    setHandler(EventType.OPEN, cast(l));
  }

  public void onMessage(Listener<? super MessageEvent> l) {
    setHandler(EventType.MESSAGE, cast(l));
  }

  public void onError(Listener<? super ErrorEvent> l) {
    setHandler(EventType.ERROR, cast(l));
  }

  public void onClose(Listener<? super CloseEvent> l) {
    setHandler(EventType.CLOSE, cast(l));
  }

  /**
   * Where exceptions thrown by listeners go (null: printed to stderr). Dispatch
   * goes on after each one.
   */
  public static void setListenerErrorHandler(BiConsumer<WebSocket, Throwable> handler) {
    errorHandler = handler;
  }

  static void reportListenerError(WebSocket ws, Throwable t) {
    BiConsumer<WebSocket, Throwable> h = errorHandler;
    if (h != null) {
      try {
        h.accept(ws, t);
        return;
      } catch (Throwable again) {
        t.addSuppressed(again);
      }
    }
    System.err.println("polyws: a listener of " + (ws == null ? "?" : ws.url) + " threw:");
    t.printStackTrace();
  }

  // ---- dispatch (on the dispatcher thread) ------------------------------------

  /** Copies the native event (valid until the next pull) and delivers it. */
  void take(long ev) {
    Event e;
    switch (PolywsNative.ws_event_type(ev)) {
      case PolywsNativeConstants.WS_EVENT_OPEN:
        e = new Event(EventType.OPEN, this);
        break;
      case PolywsNativeConstants.WS_EVENT_MESSAGE:
        e = new MessageEvent(this, PolywsNative.ws_event_data(ev), PolywsNative.ws_event_is_binary(ev));
        break;
      case PolywsNativeConstants.WS_EVENT_ERROR:
        e = new ErrorEvent(this, PolywsNative.ws_event_error_message(ev));
        break;
      case PolywsNativeConstants.WS_EVENT_CLOSE:
        e = new CloseEvent(this, PolywsNative.ws_event_code(ev), PolywsNative.ws_event_reason(ev),
            PolywsNative.ws_event_was_clean(ev));
        if (!PolywsNative.ws_event_will_reconnect(ev)) {
          dispatcher.unregister(PolywsNative.ws_event_socket(ev));
          release();
        }
        break;
      default:
        return;
    }
    if (executor == null) {
      fire(e);
      return;
    }
    synchronized (queue) {
      queue.add(e);
      if (draining) return;
      draining = true;
    }
    try {
      executor.execute(this::drain);
    } catch (RuntimeException rejected) {
      synchronized (queue) {
        draining = false;
      }
      reportListenerError(this, rejected);
    }
  }

  private void drain() {
    for (;;) {
      Event e;
      synchronized (queue) {
        e = queue.poll();
        if (e == null) {
          draining = false;
          return;
        }
      }
      fire(e);
    }
  }

  private void fire(Event e) {
    for (Registration r : listeners[e.type().code]) {
      Listener<Event> l = r.current;
      if (l == null) continue;
      try {
        l.handle(e);
      } catch (Throwable t) {
        reportListenerError(this, t);
      }
    }
  }

  /** Frees the native socket, keeping the last attribute values. */
  private void release() {
    lock.writeLock().lock();
    try {
      if (handle == 0) return;
      protocol = PolywsNative.ws_protocol(handle);
      extensions = PolywsNative.ws_extensions(handle);
      finalBufferedAmount = PolywsNative.ws_buffered_amount(handle);
      PolywsNative.ws_free(handle);
      handle = 0;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "WebSocket(" + url + ")";
  }

  // ---- builder ------------------------------------------------------------------

  /** new WebSocket(url, protocols) with options and listeners set before connecting. */
  public static final class Builder {
    private final String url;
    private String[] protocols = new String[0];
    private long connectTimeoutMs = -1;
    private final List<String[]> headers = new ArrayList<>();
    private String caFile;
    private Executor executor;
    private final List<Object[]> listeners = new ArrayList<>();

    private Builder(String url) {
      this.url = url;
    }

    public Builder protocols(String... protocols) {
      this.protocols = protocols == null ? new String[0] : protocols.clone();
      return this;
    }

    /** Time allowed for the opening handshake (default 30 s; zero: no limit). */
    public Builder connectTimeout(Duration timeout) {
      long ms = timeout.toMillis();
      if (ms < 0 || ms > 0xffffffffL) throw new IllegalArgumentException("connect timeout out of range");
      connectTimeoutMs = ms;
      return this;
    }

    /** A header of the opening handshake (Authorization, Cookie, Origin, ...). */
    public Builder header(String name, String value) {
      headers.add(new String[] {Objects.requireNonNull(name), Objects.requireNonNull(value)});
      return this;
    }

    /** Trust the CAs of this PEM file instead of the system store (wss://). */
    public Builder caFile(String path) {
      caFile = path;
      return this;
    }

    /** Run listeners on this Executor (still one at a time per socket). */
    public Builder executor(Executor executor) {
      this.executor = executor;
      return this;
    }

    public <E extends Event> Builder addEventListener(EventType<E> type, Listener<? super E> l) {
      listeners.add(new Object[] {type, Objects.requireNonNull(l), false});
      return this;
    }

    public Builder onOpen(Listener<? super Event> l) {
      listeners.add(new Object[] {EventType.OPEN, l, true});
      return this;
    }

    public Builder onMessage(Listener<? super MessageEvent> l) {
      listeners.add(new Object[] {EventType.MESSAGE, l, true});
      return this;
    }

    public Builder onError(Listener<? super ErrorEvent> l) {
      listeners.add(new Object[] {EventType.ERROR, l, true});
      return this;
    }

    public Builder onClose(Listener<? super CloseEvent> l) {
      listeners.add(new Object[] {EventType.CLOSE, l, true});
      return this;
    }

    /** Creates the socket and starts connecting. */
    public WebSocket build() {
      return new WebSocket(this);
    }
  }
}
