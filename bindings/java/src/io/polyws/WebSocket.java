package io.polyws;

import io.polyws.internal.PolywsNative;
import io.polyws.internal.PolywsNativeConstants;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
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
 *
 * <p>Backpressure: a socket holds at most its receive limit of undelivered
 * messages ({@link WebSocketBuilder#receiveLimit}, 8 MiB by default; twice
 * that with an Executor), then it is no longer read and TCP pushes back on
 * the server. {@link WebSocketBuilder#initialDemand} and {@link #request}
 * deliver messages only as they are asked for, as {@code java.net.http} does.
 */
public final class WebSocket implements AutoCloseable {
  public static final int CONNECTING = 0;
  public static final int OPEN = 1;
  public static final int CLOSING = 2;
  public static final int CLOSED = 3;

  private final NativeSocket nat;
  private final String url;
  private final ListenerRegistry listeners = new ListenerRegistry();
  private final SocketFutures futures = new SocketFutures();
  private final Backpressure backpressure;
  private final ExecutorHandOff handOff; // null: listeners run on the dispatching thread
  private volatile BinaryType binaryType;
  private volatile Map<String, String> responseHeaders = Collections.emptyMap();
  private volatile String lastError = "";
  /** close() was called: on an Executor, messages taken before it are no longer delivered. */
  private volatile boolean closeCalled;
  /** The close event that promised a reconnect, until the reconnect event comes; guarded by this. */
  private CloseEvent pendingReconnect;

  /** new WebSocket(url, protocols): connects at once (see the class comment). */
  public WebSocket(String url, String... protocols) {
    this(new WebSocketBuilder(url).protocols(protocols));
  }

  public static WebSocketBuilder builder(String url) {
    return new WebSocketBuilder(url);
  }

  /**
   * Connects and completes with the socket once it is open, or exceptionally
   * (a {@link WebSocketException} with the reason) if it closes first. A bad
   * URL or protocol completes it exceptionally too.
   */
  public static CompletableFuture<WebSocket> connect(String url, String... protocols) {
    return new WebSocketBuilder(url).protocols(protocols).connect();
  }

  /** The polyws library version, "MAJOR.MINOR.PATCH". */
  public static String version() {
    return PolywsNative.ws_version();
  }

  WebSocket(WebSocketBuilder b) {
    EventLoop loop = b.loop != null ? b.loop : EventLoop.shared();
    binaryType = b.binaryType;
    long ws = b.newNativeSocket(loop.handle());
    nat = new NativeSocket(loop.state(), ws);
    backpressure = new Backpressure(nat, b.initialDemand);
    handOff = b.executor == null ? null
        : new ExecutorHandOff(b.executor, this::fire, backpressure, b.receiveLimit());
    url = PolywsNative.ws_url(ws);
    if (binaryType != BinaryType.BLOB)
      PolywsNative.ws_set_binary_type(ws, PolywsNativeConstants.WS_BINARY_ARRAYBUFFER);
    for (Object[] l : b.listeners)
      listeners.add((EventType<?>) l[0], ListenerRegistry.cast(l[1]), (Boolean) l[2]);
    nat.ref = loop.register(ws, this, nat);
    updateKeepAlive();
    NativeSocket.CLEANER.register(this, nat);
    try {
      nat.connect();
    } catch (RuntimeException e) {
      nat.free();
      throw e;
    }
  }

  // ---- attributes -----------------------------------------------------------

  /** CONNECTING, OPEN, CLOSING or CLOSED. */
  public int readyState() {
    return nat.readyState();
  }

  /** The serialized URL ("https://h/" reads "wss://h/"). */
  public String url() {
    return url;
  }

  /** The subprotocol the server selected; "" before open or when none. */
  public String protocol() {
    return nat.protocol();
  }

  /** The extensions the server accepted (e.g. "permessage-deflate"); "" before open. */
  public String extensions() {
    return nat.extensions();
  }

  /** Payload bytes accepted by send() and not yet handed to the network. */
  public long bufferedAmount() {
    return nat.bufferedAmount();
  }

  /**
   * The receive side's bufferedAmount: bytes of messages received and not yet
   * handed to the listeners, those the loop holds (at most the receive limit,
   * see {@link WebSocketBuilder#receiveLimit}; each message there also counts
   * a fixed cost for its bookkeeping, about 320 bytes) plus, with an
   * Executor, those waiting for it. 0 once released.
   */
  public long undeliveredAmount() {
    long inLoop = nat.query(PolywsNative::ws_undelivered_amount, () -> 0L);
    return handOff == null ? inLoop : inLoop + handOff.queuedBytes();
  }

  /** binaryType: the form binary messages take when dispatched (default BLOB: byte[]). */
  public BinaryType binaryType() {
    return binaryType;
  }

  /** Sets binaryType; it applies to messages dispatched from now on. */
  public void setBinaryType(BinaryType type) {
    binaryType = Objects.requireNonNull(type, "type");
    int nativeType = type == BinaryType.BLOB ? PolywsNativeConstants.WS_BINARY_BLOB
                                             : PolywsNativeConstants.WS_BINARY_ARRAYBUFFER;
    nat.ifLive(h -> PolywsNative.ws_set_binary_type(h, nativeType));
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
    return responseHeaders.get(name.toLowerCase(Locale.ROOT));
  }

  // ---- methods ----------------------------------------------------------------

  /** send(text). @throws IllegalStateException while CONNECTING. */
  public void send(String text) {
    byte[] b = Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8);
    nat.sendArray(false, b, 0, b.length);
  }

  /** send(binary); the bytes are copied. @throws IllegalStateException while CONNECTING. */
  public void send(byte[] data) {
    nat.sendArray(true, Objects.requireNonNull(data, "data"), 0, data.length);
  }

  /** send(binary) of {@code length} bytes at {@code offset}; the bytes are copied. */
  public void send(byte[] data, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(data, "data").length);
    nat.sendArray(true, data, offset, length);
  }

  /**
   * send(binary) of the bytes from the buffer's position to its limit; on
   * return the position is at the limit (as {@code java.net.http.WebSocket}
   * does). A direct buffer is read in place (no copy on the Java side); a
   * heap buffer through its array; a read-only heap buffer is copied first.
   */
  public void send(ByteBuffer data) {
    nat.sendBuffer(true, Objects.requireNonNull(data, "data"));
  }

  /**
   * send(text) of UTF-8 bytes from the buffer's position to its limit, as
   * {@link #send(ByteBuffer)}. Invalid UTF-8 is refused
   * (IllegalArgumentException) and nothing is sent.
   */
  public void sendText(ByteBuffer utf8) {
    nat.sendBuffer(false, Objects.requireNonNull(utf8, "utf8"));
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
      throw Results.failure(PolywsNativeConstants.WS_ERR_INVALID_ACCESS, "close code " + code);
    boolean live = nat.close(code, reason);
    closeCalled = true;
    if (!live) return;
    backpressure.closeCalled();
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
      futures.closed(new CloseEvent(this, last.code(), last.reason(), last.wasClean(), false,
          last.unsentMessages(), last.unsentBytes()), lastError);
    }
  }

  // ---- demand -------------------------------------------------------------------

  /**
   * Flow-style demand, as {@code java.net.http.WebSocket.request(n)}: allows
   * {@code n} more message events. A socket built with
   * {@link WebSocketBuilder#initialDemand} delivers only as many messages as
   * were requested; while its demand is 0 its events wait in the loop, the
   * loop stops reading it at the receive limit and the server's writes
   * block, until this is called (from any thread, a listener included).
   * Demand saturates at {@code Long.MAX_VALUE}, which means unlimited (the
   * default); on such a socket this does nothing. After {@link #close} the
   * close event needs no demand (messages still held are not delivered).
   *
   * @throws IllegalArgumentException if {@code n <= 0}.
   */
  public void request(long n) {
    if (n <= 0) throw new IllegalArgumentException("request(n) needs n > 0, got " + n);
    backpressure.request(n);
  }

  /** The message events still allowed before the socket waits for {@link #request}; {@code Long.MAX_VALUE}: unlimited. */
  public long demand() {
    return backpressure.demand();
  }

  // ---- futures ------------------------------------------------------------------

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
    CompletableFuture<WebSocket> f = futures.open();
    updateKeepAlive();
    return f;
  }

  /** Completes with the final close event, after its listeners ran. Never exceptionally. */
  public CompletableFuture<CloseEvent> closeFuture() {
    CompletableFuture<CloseEvent> f = futures.close();
    updateKeepAlive();
    return f;
  }

  // ---- listeners ----------------------------------------------------------------

  /** The loop holds this socket strongly while something can observe its events. */
  private void updateKeepAlive() {
    EventLoop.SocketRef ref = nat.ref;
    if (ref == null) return;
    ref.strong = !listeners.isEmpty() || futures.handedOut() ? this : null;
  }

  /** addEventListener(type, listener); adding the same listener twice has no effect. */
  public <E extends Event> void addEventListener(EventType<E> type, Listener<? super E> listener) {
    listeners.add(type, ListenerRegistry.cast(Objects.requireNonNull(listener, "listener")), false);
    updateKeepAlive();
  }

  /** removeEventListener(type, listener): it is not called from now on. */
  public <E extends Event> void removeEventListener(EventType<E> type, Listener<? super E> listener) {
    listeners.remove(type, listener, false);
    updateKeepAlive();
  }

  private void setHandler(EventType<?> type, Listener<?> l) {
    if (l != null) listeners.add(type, ListenerRegistry.cast(l), true);
    else listeners.remove(type, null, true);
    updateKeepAlive();
  }

  /** The onopen handler (null removes it); it keeps the position where it was first set. */
  public void onOpen(Listener<? super Event> l) {
    setHandler(EventType.OPEN, l);
  }

  public void onMessage(Listener<? super MessageEvent> l) {
    setHandler(EventType.MESSAGE, l);
  }

  public void onError(Listener<? super ErrorEvent> l) {
    setHandler(EventType.ERROR, l);
  }

  public void onClose(Listener<? super CloseEvent> l) {
    setHandler(EventType.CLOSE, l);
  }

  /** Not a browser handler: runs for each reconnect event (see {@link WebSocketBuilder#reconnect}). */
  public void onReconnect(Listener<? super ReconnectEvent> l) {
    setHandler(EventType.RECONNECT, l);
  }

  /**
   * Where exceptions thrown by listeners go (null: printed to stderr). Dispatch
   * goes on after each one.
   */
  public static void setListenerErrorHandler(BiConsumer<WebSocket, Throwable> handler) {
    ListenerRegistry.setErrorHandler(handler);
  }

  // ---- dispatch (on the thread that takes events from the loop) ----------------

  /** Copies the native event (valid until the next pull) and delivers it. */
  void take(long ev) {
    Event e;
    switch (PolywsNative.ws_event_type(ev)) {
      case PolywsNativeConstants.WS_EVENT_OPEN:
        readResponseHeaders();
        backpressure.opened();
        e = new Event(EventType.OPEN, this);
        break;
      case PolywsNativeConstants.WS_EVENT_MESSAGE:
        backpressure.messageTaken();
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
    if (handOff == null) fire(e);
    else handOff.submit(e);
  }

  private void readResponseHeaders() {
    nat.ifLive(h -> {
      TreeMap<String, String> m = new TreeMap<>();
      long n = PolywsNative.ws_response_header_count(h);
      for (long i = 0; i < n; i++) {
        String name = PolywsNative.ws_java_response_header_name(h, i);
        String value = PolywsNative.ws_java_response_header_value(h, i);
        if (name != null) m.put(name, value == null ? "" : value);
      }
      responseHeaders = Collections.unmodifiableMap(m);
    });
  }

  /** Runs the event's listeners, then completes the futures it settles. */
  private void fire(Event e) {
    if (e instanceof MessageEvent) {
      // Taken while OPEN; on an Executor, close() may have come in between:
      // a browser does not deliver it then (rule 22). The server's close or a
      // failure taken after it does not count: in a browser those come after
      // the messages before them, and so here.
      if (handOff != null && closeCalled) return;
      ((MessageEvent) e).binaryType = binaryType;
    }
    listeners.fire(e);
    if (e.type() == EventType.OPEN) {
      futures.opened(this);
    } else if (e instanceof CloseEvent && !((CloseEvent) e).willReconnect()) {
      futures.closed((CloseEvent) e, lastError);
    }
  }

  @Override
  public String toString() {
    return "WebSocket(" + url + ")";
  }
}
