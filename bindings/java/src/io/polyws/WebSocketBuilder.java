package io.polyws;

import io.polyws.internal.PolywsNative;
import io.polyws.internal.PolywsNativeConstants;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * new WebSocket(url, protocols) with options and listeners set before
 * connecting. Every option maps to one {@code ws_options_set_*} of the C
 * API; values the library refuses make {@link #build()} throw
 * IllegalArgumentException with its reason.
 */
public final class WebSocketBuilder {
  private final String url;
  private String[] protocols = new String[0];
  private long connectTimeoutMs = -1;
  private long closeTimeoutMs = -1;
  private long maxMessageSize = -1;
  private long sendBufferLimit = -1;
  private long receiveLimit = -1;
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
  Executor executor;
  EventLoop loop;
  BinaryType binaryType = BinaryType.BLOB;
  long initialDemand = Backpressure.UNLIMITED;
  final List<Object[]> listeners = new ArrayList<>();

  WebSocketBuilder(String url) {
    this.url = url;
  }

  private static long millis(Duration d, String what) {
    long ms = d.toMillis();
    if (ms < 0 || ms > 0xffffffffL) throw new IllegalArgumentException(what + " out of range: " + d);
    return ms;
  }

  public WebSocketBuilder protocols(String... protocols) {
    this.protocols = protocols == null ? new String[0] : protocols.clone();
    return this;
  }

  /** Time allowed for the opening handshake (default 30 s; zero: no limit). */
  public WebSocketBuilder connectTimeout(Duration timeout) {
    connectTimeoutMs = millis(timeout, "connect timeout");
    return this;
  }

  /** Time allowed for the closing handshake once the close frame is sent (default 5 s). */
  public WebSocketBuilder closeTimeout(Duration timeout) {
    closeTimeoutMs = millis(timeout, "close timeout");
    return this;
  }

  /** Largest incoming message (decompressed) before the connection fails (default 64 MiB). */
  public WebSocketBuilder maxMessageSize(long bytes) {
    if (bytes < 0) throw new IllegalArgumentException("max message size < 0");
    maxMessageSize = bytes;
    return this;
  }

  /** Largest bufferedAmount; a send past it fails the connection (default 256 MiB). */
  public WebSocketBuilder sendBufferLimit(long bytes) {
    if (bytes < 0) throw new IllegalArgumentException("send buffer limit < 0");
    sendBufferLimit = bytes;
    return this;
  }

  /**
   * Receive flow control: the most message bytes (after inflating) the socket
   * may hold received and not yet taken by its listeners (default 8 MiB).
   * At the limit the loop stops reading it, the kernel's buffers fill and the
   * server's writes block; reading resumes at half. Nothing is lost or
   * reordered, and a message larger than the limit still arrives whole.
   * With an {@link #executor} the hand-off to it holds up to as much again.
   */
  public WebSocketBuilder receiveLimit(long bytes) {
    if (bytes <= 0) throw new IllegalArgumentException("receive limit must be > 0, got " + bytes);
    receiveLimit = bytes;
    return this;
  }

  long receiveLimit() {
    return receiveLimit > 0 ? receiveLimit : PolywsNativeConstants.WS_DEFAULT_RECEIVE_LIMIT;
  }

  /**
   * Demand-driven delivery ({@link WebSocket#request}): at most
   * {@code messages} message events, then more only as requested. The first
   * open event needs no demand; while the demand is 0 every later event waits
   * in the loop, a reconnect's included. Default: unlimited
   * ({@code Long.MAX_VALUE}).
   */
  public WebSocketBuilder initialDemand(long messages) {
    if (messages < 0) throw new IllegalArgumentException("initial demand must be >= 0, got " + messages);
    initialDemand = messages;
    return this;
  }

  /** Keepalive: a ping every {@code interval} once open (default: none, as a browser). */
  public WebSocketBuilder pingInterval(Duration interval) {
    pingIntervalMs = millis(interval, "ping interval");
    return this;
  }

  /** How long a keepalive ping may wait for its pong before the connection fails (default 10 s). */
  public WebSocketBuilder pongTimeout(Duration timeout) {
    pongTimeoutMs = millis(timeout, "pong timeout");
    return this;
  }

  /**
   * Automatic reconnect after an unexpected end (off by default): delays
   * double from {@code initialDelay} up to {@code maxDelay}; {@code maxAttempts}
   * 0 means no limit. Close events then say {@link CloseEvent#willReconnect()}
   * and {@link EventType#RECONNECT} events announce each new connection.
   */
  public WebSocketBuilder reconnect(Duration initialDelay, Duration maxDelay, int maxAttempts) {
    if (maxAttempts < 0) throw new IllegalArgumentException("max attempts < 0");
    reconnect = new long[] {millis(initialDelay, "initial delay"), millis(maxDelay, "max delay"), maxAttempts};
    return this;
  }

  /** Offer permessage-deflate (RFC 7692); {@link WebSocket#extensions()} tells if accepted. */
  public WebSocketBuilder permessageDeflate(boolean enabled) {
    deflate = enabled;
    return this;
  }

  /** client_max_window_bits (9-15) and server_max_window_bits (8-15) to offer; 15 leaves one out. */
  public WebSocketBuilder deflateWindowBits(int clientBits, int serverBits) {
    windowBits = new int[] {clientBits, serverBits};
    return this;
  }

  /** Offer client_no_context_takeover and/or server_no_context_takeover. */
  public WebSocketBuilder deflateNoContextTakeover(boolean client, boolean server) {
    noContextTakeover = new boolean[] {client, server};
    return this;
  }

  /** Connect through this HTTP proxy with CONNECT: "http://[user:password@]host[:port]". */
  public WebSocketBuilder proxy(String proxyUrl) {
    proxy = proxyUrl;
    return this;
  }

  /** When no proxy is set, follow http_proxy / https_proxy / no_proxy (default false). */
  public WebSocketBuilder proxyFromEnvironment(boolean enabled) {
    proxyFromEnvironment = enabled;
    return this;
  }

  /** A header of the opening handshake (Authorization, Cookie, Origin, ...); names may repeat. */
  public WebSocketBuilder header(String name, String value) {
    headers.add(new String[] {Objects.requireNonNull(name), Objects.requireNonNull(value)});
    return this;
  }

  /** The User-Agent of the handshake (default "polyws/VERSION"). */
  public WebSocketBuilder userAgent(String userAgent) {
    this.userAgent = userAgent;
    return this;
  }

  /** Trust the CAs of this PEM file instead of the system store (wss://). */
  public WebSocketBuilder caFile(String path) {
    caFile = path;
    return this;
  }

  /** Trust the CAs in this PEM text instead of the system store; combines with caFile. */
  public WebSocketBuilder caPem(String pem) {
    caPem = pem;
    return this;
  }

  /** Present this certificate chain and (unencrypted) key, PEM files, when the server asks (mutual TLS). */
  public WebSocketBuilder clientCertificate(String certFile, String keyFile) {
    clientCert = Objects.requireNonNull(certFile, "certFile");
    clientKey = Objects.requireNonNull(keyFile, "keyFile");
    return this;
  }

  /** The name sent as SNI and checked against the certificate, instead of the URL's host. */
  public WebSocketBuilder tlsServerName(String name) {
    tlsServerName = name;
    return this;
  }

  /** INSECURE: accept any server certificate. For tests against throwaway servers only. */
  public WebSocketBuilder insecureNoTlsVerify(boolean insecure) {
    this.insecure = insecure;
    return this;
  }

  /** The initial binaryType (default BLOB). */
  public WebSocketBuilder binaryType(BinaryType type) {
    binaryType = Objects.requireNonNull(type, "type");
    return this;
  }

  /**
   * Run listeners on this Executor (still one at a time per socket, in
   * order). The dispatching thread never waits for it: once 1024 events or
   * the receive limit in bytes wait for the Executor, the socket is paused in
   * its loop until the Executor has run them down to half.
   */
  public WebSocketBuilder executor(Executor executor) {
    this.executor = executor;
    return this;
  }

  /** The loop whose thread, or whose {@link EventLoop#dispatch} caller, takes the events. */
  public WebSocketBuilder eventLoop(EventLoop loop) {
    this.loop = loop;
    return this;
  }

  public <E extends Event> WebSocketBuilder addEventListener(EventType<E> type, Listener<? super E> l) {
    listeners.add(new Object[] {type, Objects.requireNonNull(l), false});
    return this;
  }

  public WebSocketBuilder onOpen(Listener<? super Event> l) {
    listeners.add(new Object[] {EventType.OPEN, l, true});
    return this;
  }

  public WebSocketBuilder onMessage(Listener<? super MessageEvent> l) {
    listeners.add(new Object[] {EventType.MESSAGE, l, true});
    return this;
  }

  public WebSocketBuilder onError(Listener<? super ErrorEvent> l) {
    listeners.add(new Object[] {EventType.ERROR, l, true});
    return this;
  }

  public WebSocketBuilder onClose(Listener<? super CloseEvent> l) {
    listeners.add(new Object[] {EventType.CLOSE, l, true});
    return this;
  }

  public WebSocketBuilder onReconnect(Listener<? super ReconnectEvent> l) {
    listeners.add(new Object[] {EventType.RECONNECT, l, true});
    return this;
  }

  /** ws_new_ex() on {@code loop} with these options, deferred: the caller connects. */
  long newNativeSocket(long loop) {
    long[] out = new long[1];
    int rc = PolywsNative.ws_options_new(out);
    if (rc != 0) throw Results.failure(rc, "ws_options_new");
    long o = out[0];
    try {
      Results.check(PolywsNative.ws_options_set_deferred_connect(o, true));
      if (connectTimeoutMs >= 0) Results.check(PolywsNative.ws_options_set_connect_timeout_ms(o, connectTimeoutMs));
      if (closeTimeoutMs >= 0) Results.check(PolywsNative.ws_options_set_close_timeout_ms(o, closeTimeoutMs));
      if (maxMessageSize >= 0) Results.check(PolywsNative.ws_options_set_max_message_size(o, maxMessageSize));
      if (sendBufferLimit >= 0) Results.check(PolywsNative.ws_options_set_send_buffer_limit(o, sendBufferLimit));
      if (receiveLimit > 0) Results.check(PolywsNative.ws_options_set_receive_limit(o, receiveLimit));
      if (pingIntervalMs >= 0) Results.check(PolywsNative.ws_options_set_ping_interval_ms(o, pingIntervalMs));
      if (pongTimeoutMs >= 0) Results.check(PolywsNative.ws_options_set_pong_timeout_ms(o, pongTimeoutMs));
      if (reconnect != null)
        Results.check(PolywsNative.ws_options_set_reconnect(o, reconnect[0], reconnect[1], reconnect[2]));
      if (deflate) Results.check(PolywsNative.ws_options_set_permessage_deflate(o, true));
      if (windowBits != null)
        Results.check(PolywsNative.ws_options_set_deflate_window_bits(o, (short) windowBits[0], (short) windowBits[1]));
      if (noContextTakeover != null)
        Results.check(PolywsNative.ws_options_set_deflate_no_context_takeover(o, noContextTakeover[0],
            noContextTakeover[1]));
      if (proxy != null) Results.check(PolywsNative.ws_options_set_proxy(o, proxy));
      if (proxyFromEnvironment) Results.check(PolywsNative.ws_options_set_proxy_from_environment(o, true));
      for (String[] h : headers) Results.check(PolywsNative.ws_options_add_header(o, h[0], h[1]));
      if (userAgent != null) Results.check(PolywsNative.ws_options_set_user_agent(o, userAgent));
      if (caFile != null) Results.check(PolywsNative.ws_options_set_ca_file(o, caFile));
      if (caPem != null) Results.check(PolywsNative.ws_options_set_ca_pem(o, caPem.getBytes(StandardCharsets.UTF_8)));
      if (clientCert != null) Results.check(PolywsNative.ws_options_set_client_cert(o, clientCert, clientKey));
      if (tlsServerName != null) Results.check(PolywsNative.ws_options_set_tls_server_name(o, tlsServerName));
      if (insecure) Results.check(PolywsNative.ws_options_set_insecure_no_tls_verify(o, true));
      out[0] = 0;
      Results.check(PolywsNative.ws_new_ex(loop, Objects.requireNonNull(url, "url"), protocols, o, out));
      return out[0];
    } finally {
      PolywsNative.ws_options_free(o);
    }
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
