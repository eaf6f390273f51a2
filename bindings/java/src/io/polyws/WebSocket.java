package io.polyws;

import io.polyws.internal.PolywsNative;
import io.polyws.internal.PolywsNativeConstants;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
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
 * IllegalStateException. Listeners run where the socket's {@link EventLoop}
 * runs them (by default the shared "polyws-dispatcher" thread), or on the
 * Executor given to the builder; never on the I/O thread, and one at a time per
 * socket. Listeners given to the builder are in place before the connection
 * starts, so they see every event; a listener added later misses events
 * already dispatched. Every method is thread-safe. The native socket is
 * released once the final close event is taken; the getters keep their last
 * values.
 *
 * <p>Lifetime (the browser's garbage-collection rule): while a socket has a
 * listener, or a future from {@link #openFuture()}, {@link #closeFuture()},
 * {@link #closeAsync} or {@link #connect} was handed out, its loop keeps it
 * reachable until its close event, so a socket built and forgotten with
 * listeners keeps talking. A socket with neither may be collected when the
 * program drops it; it is then released as by {@code ws_free()} (an open
 * connection closes with 1001 going away).
 */
public final class WebSocket implements AutoCloseable {
  public static final int CONNECTING = 0;
  public static final int OPEN = 1;
  public static final int CLOSING = 2;
  public static final int CLOSED = 3;

  static final Cleaner CLEANER = Cleaner.create(r -> {
    Thread t = new Thread(r, "polyws-cleaner");
    t.setDaemon(true);
    return t;
  });

  private static volatile BiConsumer<WebSocket, Throwable> errorHandler = null;

  /**
   * The native handle and what the Cleaner needs to release it; never refers
   * to the WebSocket, so that the WebSocket can become unreachable.
   */
  static final class NativeSocket implements Runnable {
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    final EventLoop.State loop;
    long handle; // 0 once released; guarded by lock
    EventLoop.SocketRef ref;
    String protocol = "";
    String extensions = "";
    /** bufferedAmount once released: it still grows by what send() discards (rule 11). */
    final java.util.concurrent.atomic.AtomicLong bufferedAmount = new java.util.concurrent.atomic.AtomicLong();

    NativeSocket(EventLoop.State loop, long handle) {
      this.loop = loop;
      this.handle = handle;
    }

    /** ws_free(), keeping the last attribute values. Idempotent. */
    void free() {
      lock.writeLock().lock();
      try {
        if (handle == 0) return;
        protocol = PolywsNative.ws_protocol(handle);
        extensions = PolywsNative.ws_extensions(handle);
        bufferedAmount.set(PolywsNative.ws_buffered_amount(handle));
        if (ref != null) {
          ref.strong = null;
          loop.unregister(handle, ref);
        }
        PolywsNative.ws_free(handle);
        handle = 0;
      } finally {
        lock.writeLock().unlock();
      }
    }

    /** The Cleaner's action: the WebSocket was dropped without its close event. */
    @Override
    public void run() {
      free();
    }
  }

  private final NativeSocket nat;
  private final Executor executor;
  private final String url;
  private volatile BinaryType binaryType;
  private volatile Map<String, String> responseHeaders = Collections.emptyMap();
  @SuppressWarnings("unchecked")
  private final List<Registration>[] listeners = new List[6];
  private int listenerCount; // guarded by listeners
  private volatile boolean futuresHandedOut;
  private final CompletableFuture<WebSocket> openFuture = new CompletableFuture<>();
  private final CompletableFuture<CloseEvent> closeFuture = new CompletableFuture<>();
  private volatile String lastError = "";
  /** The close event that promised a reconnect, until the reconnect event comes; guarded by this. */
  private CloseEvent pendingReconnect;
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

  /**
   * Connects and completes with the socket once it is open, or exceptionally
   * (a {@link WebSocketException} with the reason) if it closes first. A bad
   * URL or protocol completes it exceptionally too.
   */
  public static CompletableFuture<WebSocket> connect(String url, String... protocols) {
    return new Builder(url).protocols(protocols).connect();
  }

  /** The polyws library version, "MAJOR.MINOR.PATCH". */
  public static String version() {
    return PolywsNative.ws_version();
  }

  private WebSocket(Builder b) {
    for (int i = 0; i < listeners.length; i++) listeners[i] = new CopyOnWriteArrayList<>();
    EventLoop loop = b.loop != null ? b.loop : EventLoop.shared();
    executor = b.executor;
    binaryType = b.binaryType;
    long ws = newNative(loop.handle(), b);
    nat = new NativeSocket(loop.state(), ws);
    url = PolywsNative.ws_url(ws);
    if (binaryType != BinaryType.BLOB)
      PolywsNative.ws_set_binary_type(ws, PolywsNativeConstants.WS_BINARY_ARRAYBUFFER);
    for (Object[] l : b.listeners) addRegistration((EventType<?>) l[0], cast(l[1]), (Boolean) l[2]);
    nat.ref = loop.register(ws, this, nat);
    updateKeepAlive();
    CLEANER.register(this, nat);
    int crc = PolywsNative.ws_connect(ws);
    if (crc != 0) {
      nat.free();
      throw failure(crc, "ws_connect");
    }
  }

  private static long newNative(long loop, Builder b) {
    long[] out = new long[1];
    int rc = PolywsNative.ws_options_new(out);
    if (rc != 0) throw failure(rc, "ws_options_new");
    long o = out[0];
    try {
      check0(PolywsNative.ws_options_set_deferred_connect(o, true));
      if (b.connectTimeoutMs >= 0) check0(PolywsNative.ws_options_set_connect_timeout_ms(o, b.connectTimeoutMs));
      if (b.closeTimeoutMs >= 0) check0(PolywsNative.ws_options_set_close_timeout_ms(o, b.closeTimeoutMs));
      if (b.maxMessageSize >= 0) check0(PolywsNative.ws_options_set_max_message_size(o, b.maxMessageSize));
      if (b.sendBufferLimit >= 0) check0(PolywsNative.ws_options_set_send_buffer_limit(o, b.sendBufferLimit));
      if (b.pingIntervalMs >= 0) check0(PolywsNative.ws_options_set_ping_interval_ms(o, b.pingIntervalMs));
      if (b.pongTimeoutMs >= 0) check0(PolywsNative.ws_options_set_pong_timeout_ms(o, b.pongTimeoutMs));
      if (b.reconnect != null)
        check0(PolywsNative.ws_options_set_reconnect(o, b.reconnect[0], b.reconnect[1], b.reconnect[2]));
      if (b.deflate) check0(PolywsNative.ws_options_set_permessage_deflate(o, true));
      if (b.windowBits != null)
        check0(PolywsNative.ws_options_set_deflate_window_bits(o, (short) b.windowBits[0], (short) b.windowBits[1]));
      if (b.noContextTakeover != null)
        check0(PolywsNative.ws_options_set_deflate_no_context_takeover(o, b.noContextTakeover[0],
            b.noContextTakeover[1]));
      if (b.proxy != null) check0(PolywsNative.ws_options_set_proxy(o, b.proxy));
      if (b.proxyFromEnvironment) check0(PolywsNative.ws_options_set_proxy_from_environment(o, true));
      for (String[] h : b.headers) check0(PolywsNative.ws_options_add_header(o, h[0], h[1]));
      if (b.userAgent != null) check0(PolywsNative.ws_options_set_user_agent(o, b.userAgent));
      if (b.caFile != null) check0(PolywsNative.ws_options_set_ca_file(o, b.caFile));
      if (b.caPem != null) check0(PolywsNative.ws_options_set_ca_pem(o, b.caPem.getBytes(StandardCharsets.UTF_8)));
      if (b.clientCert != null) check0(PolywsNative.ws_options_set_client_cert(o, b.clientCert, b.clientKey));
      if (b.tlsServerName != null) check0(PolywsNative.ws_options_set_tls_server_name(o, b.tlsServerName));
      if (b.insecure) check0(PolywsNative.ws_options_set_insecure_no_tls_verify(o, true));
      out[0] = 0;
      check0(PolywsNative.ws_new_ex(loop, Objects.requireNonNull(b.url, "url"), b.protocols, o, out));
      return out[0];
    } finally {
      PolywsNative.ws_options_free(o);
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
    nat.lock.readLock().lock();
    try {
      return nat.handle == 0 ? CLOSED : PolywsNative.ws_ready_state(nat.handle);
    } finally {
      nat.lock.readLock().unlock();
    }
  }

  /** The serialized URL ("https://h/" reads "wss://h/"). */
  public String url() {
    return url;
  }

  /** The subprotocol the server selected; "" before open or when none. */
  public String protocol() {
    nat.lock.readLock().lock();
    try {
      return nat.handle == 0 ? nat.protocol : PolywsNative.ws_protocol(nat.handle);
    } finally {
      nat.lock.readLock().unlock();
    }
  }

  /** The extensions the server accepted (e.g. "permessage-deflate"); "" before open. */
  public String extensions() {
    nat.lock.readLock().lock();
    try {
      return nat.handle == 0 ? nat.extensions : PolywsNative.ws_extensions(nat.handle);
    } finally {
      nat.lock.readLock().unlock();
    }
  }

  /** Payload bytes accepted by send() and not yet handed to the network. */
  public long bufferedAmount() {
    nat.lock.readLock().lock();
    try {
      return nat.handle == 0 ? nat.bufferedAmount.get() : PolywsNative.ws_buffered_amount(nat.handle);
    } finally {
      nat.lock.readLock().unlock();
    }
  }

  /** binaryType: the form binary messages take when dispatched (default BLOB: byte[]). */
  public BinaryType binaryType() {
    return binaryType;
  }

  /** Sets binaryType; it applies to messages dispatched from now on. */
  public void setBinaryType(BinaryType type) {
    binaryType = Objects.requireNonNull(type, "type");
    nat.lock.readLock().lock();
    try {
      if (nat.handle != 0)
        PolywsNative.ws_set_binary_type(nat.handle, type == BinaryType.BLOB
            ? PolywsNativeConstants.WS_BINARY_BLOB : PolywsNativeConstants.WS_BINARY_ARRAYBUFFER);
    } finally {
      nat.lock.readLock().unlock();
    }
  }

  /**
   * The headers of the server's handshake response, names lowercased, sorted;
   * repeated fields joined with ", ". Empty until open is dispatched; kept
   * after close. Unmodifiable.
   */
  public Map<String, String> responseHeaders() {
    return responseHeaders;
  }

  /** One response header by name (any case), or null. */
  public String responseHeader(String name) {
    return responseHeaders.get(name.toLowerCase(java.util.Locale.ROOT));
  }

  // ---- methods ----------------------------------------------------------------

  /** send(text). @throws IllegalStateException while CONNECTING. */
  public void send(String text) {
    byte[] b = Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8);
    sendArray(false, b, 0, b.length);
  }

  /** send(binary); the bytes are copied. @throws IllegalStateException while CONNECTING. */
  public void send(byte[] data) {
    sendArray(true, Objects.requireNonNull(data, "data"), 0, data.length);
  }

  /** send(binary) of {@code length} bytes at {@code offset}; the bytes are copied. */
  public void send(byte[] data, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(data, "data").length);
    sendArray(true, data, offset, length);
  }

  /**
   * send(binary) of the bytes from the buffer's position to its limit; on
   * return the position is at the limit (as {@code java.net.http.WebSocket}
   * does). A direct buffer is read in place (no copy on the Java side); a
   * heap buffer through its array; a read-only heap buffer is copied first.
   */
  public void send(ByteBuffer data) {
    sendBuffer(true, Objects.requireNonNull(data, "data"));
  }

  /**
   * send(text) of UTF-8 bytes from the buffer's position to its limit, as
   * {@link #send(ByteBuffer)}. Invalid UTF-8 is refused
   * (IllegalArgumentException) and nothing is sent.
   */
  public void sendText(ByteBuffer utf8) {
    sendBuffer(false, Objects.requireNonNull(utf8, "utf8"));
  }

  private static final byte[] EMPTY = new byte[0];

  private void sendBuffer(boolean binary, ByteBuffer data) {
    int pos = data.position();
    int len = data.remaining();
    if (len == 0) {
      sendArray(binary, EMPTY, 0, 0); // a direct buffer of capacity 0 may have no address
    } else if (data.isDirect()) {
      nat.lock.readLock().lock();
      try {
        if (nat.handle != 0) checkSend(PolywsNative.ws_java_send_direct(nat.handle, binary, data, pos, len));
        else nat.bufferedAmount.addAndGet(len); // CLOSED: discarded but counted, as in a browser
      } finally {
        nat.lock.readLock().unlock();
      }
    } else if (data.hasArray()) {
      sendArray(binary, data.array(), data.arrayOffset() + pos, len);
    } else {
      byte[] copy = new byte[len];
      data.duplicate().get(copy);
      sendArray(binary, copy, 0, len);
    }
    data.position(pos + len);
  }

  private void sendArray(boolean binary, byte[] data, int offset, int length) {
    nat.lock.readLock().lock();
    try {
      if (nat.handle == 0) { // CLOSED: discarded but counted, as in a browser
        nat.bufferedAmount.addAndGet(length);
        return;
      }
      checkSend(PolywsNative.ws_java_send_array(nat.handle, binary, data, offset, length));
    } finally {
      nat.lock.readLock().unlock();
    }
  }

  /** Called with the read lock held. */
  private void checkSend(int rc) {
    // A full send buffer fails the connection (error, close 1006): no throw.
    if (rc != 0 && rc != PolywsNativeConstants.WS_ERR_BUFFER_FULL)
      throw failure(rc, PolywsNative.ws_last_error(nat.handle));
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
    nat.lock.readLock().lock();
    try {
      if (nat.handle == 0) {
        if (code != 0 && code != 1000 && (code < 3000 || code > 4999))
          throw failure(PolywsNativeConstants.WS_ERR_INVALID_ACCESS, "close code " + code);
        return;
      }
      int rc = PolywsNative.ws_close(nat.handle, code, reason);
      if (rc != 0) throw failure(rc, PolywsNative.ws_last_error(nat.handle));
    } finally {
      nat.lock.readLock().unlock();
    }
    // Between a close event that promised a reconnect and the reconnect
    // event, close() ends it all with no further event: the last close event
    // becomes the final one.
    CloseEvent last;
    synchronized (this) {
      last = pendingReconnect;
      pendingReconnect = null;
    }
    if (last != null) {
      nat.free();
      finish(new CloseEvent(this, last.code(), last.reason(), last.wasClean(), false,
          last.unsentMessages(), last.unsentBytes()));
    }
  }

  /**
   * close(code, reason) (code 0: none), then the future of the final close
   * event. @throws IllegalArgumentException as {@link #close(int, String)}.
   */
  public CompletableFuture<CloseEvent> closeAsync(int code, String reason) {
    CompletableFuture<CloseEvent> f = closeFuture();
    close(code, reason);
    return f;
  }

  /**
   * Completes with this socket once the open event has been dispatched (after
   * its listeners), or exceptionally with a {@link WebSocketException} saying
   * why if the socket closes before opening. Dependent stages run on the
   * dispatching thread unless given an executor (the *Async methods).
   */
  public CompletableFuture<WebSocket> openFuture() {
    handOutFuture();
    return openFuture.copy();
  }

  /** Completes with the final close event, after its listeners ran. Never exceptionally. */
  public CompletableFuture<CloseEvent> closeFuture() {
    handOutFuture();
    return closeFuture.copy();
  }

  private void handOutFuture() {
    if (!futuresHandedOut) {
      futuresHandedOut = true;
      updateKeepAlive();
    }
  }

  // ---- listeners ----------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private static Listener<Event> cast(Object l) {
    return (Listener<Event>) l;
  }

  /** The loop holds this socket strongly while something can observe its events. */
  private void updateKeepAlive() {
    EventLoop.SocketRef ref = nat.ref;
    if (ref == null) return;
    boolean keep;
    synchronized (listeners) {
      keep = listenerCount > 0 || futuresHandedOut;
    }
    ref.strong = keep ? this : null;
  }

  private void addRegistration(EventType<?> type, Listener<Event> l, boolean handler) {
    List<Registration> list = listeners[type.code];
    synchronized (listeners) {
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
      listenerCount++;
    }
    updateKeepAlive();
  }

  private void removeRegistration(EventType<?> type, Listener<?> l, boolean handler) {
    List<Registration> list = listeners[type.code];
    synchronized (listeners) {
      for (Registration r : list)
        if (handler ? r.handler : (!r.handler && r.listener == l)) {
          r.current = null;
          list.remove(r);
          listenerCount--;
          break;
        }
    }
    updateKeepAlive();
  }

  /** addEventListener(type, listener); adding the same listener twice has no effect. */
  public <E extends Event> void addEventListener(EventType<E> type, Listener<? super E> listener) {
    addRegistration(type, cast(Objects.requireNonNull(listener, "listener")), false);
  }

  /** removeEventListener(type, listener): it is not called from now on. */
  public <E extends Event> void removeEventListener(EventType<E> type, Listener<? super E> listener) {
    removeRegistration(type, listener, false);
  }

  private void setHandler(EventType<?> type, Listener<Event> l) {
    if (l != null) addRegistration(type, l, true);
    else removeRegistration(type, null, true);
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

  /** Not a browser handler: runs for each reconnect event (see {@link Builder#reconnect}). */
  public void onReconnect(Listener<? super ReconnectEvent> l) {
    setHandler(EventType.RECONNECT, cast(l));
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

  // ---- dispatch (on the thread that takes events from the loop) ----------------

  /** Copies the native event (valid until the next pull) and delivers it. */
  void take(long ev) {
    Event e;
    switch (PolywsNative.ws_event_type(ev)) {
      case PolywsNativeConstants.WS_EVENT_OPEN:
        readResponseHeaders();
        e = new Event(EventType.OPEN, this);
        break;
      case PolywsNativeConstants.WS_EVENT_MESSAGE:
        e = new MessageEvent(this, PolywsNative.ws_event_data(ev), PolywsNative.ws_event_is_binary(ev),
            null);
        break;
      case PolywsNativeConstants.WS_EVENT_ERROR:
        String msg = PolywsNative.ws_event_error_message(ev);
        lastError = msg;
        e = new ErrorEvent(this, msg);
        break;
      case PolywsNativeConstants.WS_EVENT_CLOSE:
        boolean again = PolywsNative.ws_event_will_reconnect(ev);
        e = new CloseEvent(this, PolywsNative.ws_event_code(ev), PolywsNative.ws_event_reason(ev),
            PolywsNative.ws_event_was_clean(ev), again, PolywsNative.ws_event_unsent_messages(ev),
            PolywsNative.ws_event_unsent_bytes(ev));
        if (again) {
          synchronized (this) {
            pendingReconnect = (CloseEvent) e;
          }
        } else {
          nat.free();
        }
        break;
      case PolywsNativeConstants.WS_EVENT_RECONNECT:
        synchronized (this) {
          if (pendingReconnect == null) return; // close() came first and ended it
          pendingReconnect = null;
        }
        e = new ReconnectEvent(this, (int) PolywsNative.ws_event_reconnect_attempt(ev));
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
        queue.clear();
        draining = false;
      }
      reportListenerError(this, rejected);
    }
  }

  private void readResponseHeaders() {
    nat.lock.readLock().lock();
    try {
      if (nat.handle == 0) return;
      TreeMap<String, String> m = new TreeMap<>();
      long n = PolywsNative.ws_response_header_count(nat.handle);
      for (long i = 0; i < n; i++) {
        String name = PolywsNative.ws_java_response_header_name(nat.handle, i);
        String value = PolywsNative.ws_java_response_header_value(nat.handle, i);
        if (name != null) m.put(name, value == null ? "" : value);
      }
      responseHeaders = Collections.unmodifiableMap(m);
    } finally {
      nat.lock.readLock().unlock();
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
    if (e instanceof MessageEvent) {
      // Taken while OPEN; on an Executor, close() may have come in between:
      // a browser does not deliver it then (rule 22).
      if (executor != null && readyState() != OPEN) return;
      ((MessageEvent) e).binaryType = binaryType;
    }
    for (Registration r : listeners[e.type().code]) {
      Listener<Event> l = r.current;
      if (l == null) continue;
      try {
        l.handle(e);
      } catch (Throwable t) {
        reportListenerError(this, t);
      }
    }
    if (e.type() == EventType.OPEN) {
      openFuture.complete(this);
    } else if (e instanceof CloseEvent && !((CloseEvent) e).willReconnect()) {
      finish((CloseEvent) e);
    }
  }

  /** The end: completes the futures. */
  private void finish(CloseEvent c) {
    if (!openFuture.isDone()) {
      String why = lastError.isEmpty() ? "closed before open: " + c.code() + " " + c.reason()
                                       : lastError;
      openFuture.completeExceptionally(
          new WebSocketException(PolywsNativeConstants.WS_OK, url + ": " + why));
    }
    closeFuture.complete(c);
  }

  @Override
  public String toString() {
    return "WebSocket(" + url + ")";
  }

  // ---- builder ------------------------------------------------------------------

  /**
   * new WebSocket(url, protocols) with options and listeners set before
   * connecting. Every option maps to one {@code ws_options_set_*} of the C
   * API; values the library refuses make {@link #build()} throw
   * IllegalArgumentException with its reason.
   */
  public static final class Builder {
    private final String url;
    private String[] protocols = new String[0];
    private long connectTimeoutMs = -1;
    private long closeTimeoutMs = -1;
    private long maxMessageSize = -1;
    private long sendBufferLimit = -1;
    private long pingIntervalMs = -1;
    private long pongTimeoutMs = -1;
    private long[] reconnect;
    private boolean deflate;
    private int[] windowBits;
    private boolean[] noContextTakeover;
    private String proxy;
    private boolean proxyFromEnvironment;
    private final List<String[]> headers = new ArrayList<>();
    private String userAgent;
    private String caFile;
    private String caPem;
    private String clientCert;
    private String clientKey;
    private String tlsServerName;
    private boolean insecure;
    private Executor executor;
    private EventLoop loop;
    private BinaryType binaryType = BinaryType.BLOB;
    private final List<Object[]> listeners = new ArrayList<>();

    private Builder(String url) {
      this.url = url;
    }

    private static long millis(Duration d, String what) {
      long ms = d.toMillis();
      if (ms < 0 || ms > 0xffffffffL) throw new IllegalArgumentException(what + " out of range: " + d);
      return ms;
    }

    public Builder protocols(String... protocols) {
      this.protocols = protocols == null ? new String[0] : protocols.clone();
      return this;
    }

    /** Time allowed for the opening handshake (default 30 s; zero: no limit). */
    public Builder connectTimeout(Duration timeout) {
      connectTimeoutMs = millis(timeout, "connect timeout");
      return this;
    }

    /** Time allowed for the closing handshake once the close frame is sent (default 5 s). */
    public Builder closeTimeout(Duration timeout) {
      closeTimeoutMs = millis(timeout, "close timeout");
      return this;
    }

    /** Largest incoming message (decompressed) before the connection fails (default 64 MiB). */
    public Builder maxMessageSize(long bytes) {
      if (bytes < 0) throw new IllegalArgumentException("max message size < 0");
      maxMessageSize = bytes;
      return this;
    }

    /** Largest bufferedAmount; a send past it fails the connection (default 256 MiB). */
    public Builder sendBufferLimit(long bytes) {
      if (bytes < 0) throw new IllegalArgumentException("send buffer limit < 0");
      sendBufferLimit = bytes;
      return this;
    }

    /** Keepalive: a ping every {@code interval} once open (default: none, as a browser). */
    public Builder pingInterval(Duration interval) {
      pingIntervalMs = millis(interval, "ping interval");
      return this;
    }

    /** How long a keepalive ping may wait for its pong before the connection fails (default 10 s). */
    public Builder pongTimeout(Duration timeout) {
      pongTimeoutMs = millis(timeout, "pong timeout");
      return this;
    }

    /**
     * Automatic reconnect after an unexpected end (off by default): delays
     * double from {@code initialDelay} up to {@code maxDelay}; {@code maxAttempts}
     * 0 means no limit. Close events then say {@link CloseEvent#willReconnect()}
     * and {@link EventType#RECONNECT} events announce each new connection.
     */
    public Builder reconnect(Duration initialDelay, Duration maxDelay, int maxAttempts) {
      if (maxAttempts < 0) throw new IllegalArgumentException("max attempts < 0");
      reconnect = new long[] {millis(initialDelay, "initial delay"), millis(maxDelay, "max delay"), maxAttempts};
      return this;
    }

    /** Offer permessage-deflate (RFC 7692); {@link WebSocket#extensions()} tells if accepted. */
    public Builder permessageDeflate(boolean enabled) {
      deflate = enabled;
      return this;
    }

    /** client_max_window_bits (9-15) and server_max_window_bits (8-15) to offer; 15 leaves one out. */
    public Builder deflateWindowBits(int clientBits, int serverBits) {
      windowBits = new int[] {clientBits, serverBits};
      return this;
    }

    /** Offer client_no_context_takeover and/or server_no_context_takeover. */
    public Builder deflateNoContextTakeover(boolean client, boolean server) {
      noContextTakeover = new boolean[] {client, server};
      return this;
    }

    /** Connect through this HTTP proxy with CONNECT: "http://[user:password@]host[:port]". */
    public Builder proxy(String proxyUrl) {
      proxy = proxyUrl;
      return this;
    }

    /** When no proxy is set, follow http_proxy / https_proxy / no_proxy (default false). */
    public Builder proxyFromEnvironment(boolean enabled) {
      proxyFromEnvironment = enabled;
      return this;
    }

    /** A header of the opening handshake (Authorization, Cookie, Origin, ...); names may repeat. */
    public Builder header(String name, String value) {
      headers.add(new String[] {Objects.requireNonNull(name), Objects.requireNonNull(value)});
      return this;
    }

    /** The User-Agent of the handshake (default "polyws/VERSION"). */
    public Builder userAgent(String userAgent) {
      this.userAgent = userAgent;
      return this;
    }

    /** Trust the CAs of this PEM file instead of the system store (wss://). */
    public Builder caFile(String path) {
      caFile = path;
      return this;
    }

    /** Trust the CAs in this PEM text instead of the system store; combines with caFile. */
    public Builder caPem(String pem) {
      caPem = pem;
      return this;
    }

    /** Present this certificate chain and (unencrypted) key, PEM files, when the server asks (mutual TLS). */
    public Builder clientCertificate(String certFile, String keyFile) {
      clientCert = Objects.requireNonNull(certFile, "certFile");
      clientKey = Objects.requireNonNull(keyFile, "keyFile");
      return this;
    }

    /** The name sent as SNI and checked against the certificate, instead of the URL's host. */
    public Builder tlsServerName(String name) {
      tlsServerName = name;
      return this;
    }

    /** INSECURE: accept any server certificate. For tests against throwaway servers only. */
    public Builder insecureNoTlsVerify(boolean insecure) {
      this.insecure = insecure;
      return this;
    }

    /** The initial binaryType (default BLOB). */
    public Builder binaryType(BinaryType type) {
      binaryType = Objects.requireNonNull(type, "type");
      return this;
    }

    /** Run listeners on this Executor (still one at a time per socket, in order). */
    public Builder executor(Executor executor) {
      this.executor = executor;
      return this;
    }

    /** The loop whose thread, or whose {@link EventLoop#dispatch} caller, takes the events. */
    public Builder eventLoop(EventLoop loop) {
      this.loop = loop;
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

    public Builder onReconnect(Listener<? super ReconnectEvent> l) {
      listeners.add(new Object[] {EventType.RECONNECT, l, true});
      return this;
    }

    /** Creates the socket and starts connecting. */
    public WebSocket build() {
      return new WebSocket(this);
    }

    /**
     * Creates the socket and returns {@link WebSocket#openFuture()}; a
     * construction failure (bad URL, option refused) completes it exceptionally.
     */
    public CompletableFuture<WebSocket> connect() {
      WebSocket ws;
      try {
        ws = build();
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
      return ws.openFuture();
    }
  }
}
