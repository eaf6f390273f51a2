package io.polyws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every builder option reaches the native layer, seen from a real peer or in the events. */
@Timeout(60)
class OptionsTest {
  private static Peers node;
  private static Peers nodeDeflate;
  private static Peers echo;

  @BeforeAll
  static void startPeers() throws Exception {
    node = Peers.node();
    nodeDeflate = Peers.node("--deflate");
    echo = Peers.echo();
  }

  @AfterAll
  static void stopPeers() throws Exception {
    for (Peers p : new Peers[] {node, nodeDeflate, echo})
      if (p != null) p.close();
  }

  private static String headersSeenBy(WebSocketBuilder b) throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = r.attach(b).build();
    r.next(EventType.OPEN);
    String json = r.next(EventType.MESSAGE).text();
    ws.close();
    r.next(EventType.CLOSE);
    return json;
  }

  @Test
  void headersAndUserAgentReachTheServer() throws Exception {
    String json = headersSeenBy(WebSocket.builder(node.url("/headers"))
        .header("Cookie", "a=1").header("X-Twice", "one").header("X-Twice", "two")
        .userAgent("polyws-java-test/1.0"));
    assertTrue(json.contains("\"user-agent\":\"polyws-java-test/1.0\""), json);
    assertTrue(json.contains("\"cookie\":\"a=1\""), json);
    assertTrue(json.contains("\"x-twice\":\"one, two\""), json);
    // The default User-Agent names the library and its version.
    String dflt = headersSeenBy(WebSocket.builder(node.url("/headers")));
    assertTrue(dflt.contains("\"user-agent\":\"polyws/" + WebSocket.version() + "\""), dflt);
  }

  @Test
  void responseHeadersAreExposed() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = r.attach(WebSocket.builder(node.url("/echo"))).build();
    assertTrue(ws.responseHeaders().isEmpty(), "none before open");
    r.next(EventType.OPEN);
    assertEquals("websocket", ws.responseHeader("Upgrade").toLowerCase());
    assertNotNull(ws.responseHeaders().get("sec-websocket-accept"), ws.responseHeaders().toString());
    ws.close();
    r.next(EventType.CLOSE);
    assertEquals("websocket", ws.responseHeader("upgrade").toLowerCase(), "kept after close");
  }

  @Test
  void deflateIsNegotiatedWithItsParameters() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = r.attach(WebSocket.builder(nodeDeflate.url("/echo")).permessageDeflate(true)
        .deflateWindowBits(10, 11).deflateNoContextTakeover(true, true)).build();
    r.next(EventType.OPEN);
    String ext = ws.extensions();
    assertTrue(ext.startsWith("permessage-deflate"), ext);
    assertTrue(ext.contains("server_no_context_takeover"), ext);
    assertTrue(ext.contains("server_max_window_bits=11"), ext);
    String big = "compress me ".repeat(20000);
    ws.send(big);
    assertEquals(big, r.next(EventType.MESSAGE).text());
    ws.close();
    r.next(EventType.CLOSE);

    // Without the option nothing is offered, even to a server that would accept.
    Recorder plain = new Recorder();
    WebSocket off = plain.attach(WebSocket.builder(nodeDeflate.url("/echo"))).build();
    plain.next(EventType.OPEN);
    assertEquals("", off.extensions());
    off.close();
    plain.next(EventType.CLOSE);
  }

  @Test
  void deflateWithPythonWebsockets() throws Exception {
    try (Peers py = Peers.python("--deflate")) {
      Recorder r = new Recorder();
      WebSocket ws = r.attach(WebSocket.builder(py.url("/echo")).permessageDeflate(true)).build();
      r.next(EventType.OPEN);
      assertTrue(ws.extensions().startsWith("permessage-deflate"), ws.extensions());
      byte[] bin = new byte[100000];
      for (int i = 0; i < bin.length; i++) bin[i] = (byte) (i % 7);
      ws.send(bin);
      assertEquals(bin.length, r.next(EventType.MESSAGE).bytes().length);
      ws.close(1000, "bye");
      assertEquals(1000, r.next(EventType.CLOSE).code());
    }
  }

  @Test
  void keepalivePingsReachTheServer() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = r.attach(WebSocket.builder(node.url("/count-pings?n=2"))
        .pingInterval(Duration.ofMillis(100))).build();
    r.next(EventType.OPEN);
    assertEquals("pings:2", r.next(EventType.MESSAGE).text());
    ws.close();
    r.next(EventType.CLOSE);
  }

  @Test
  void pongTimeoutFailsASilentPeer() throws Exception {
    try (LocalServers.Silent silent = new LocalServers.Silent()) {
      Recorder r = new Recorder();
      r.attach(WebSocket.builder(silent.url()).pingInterval(Duration.ofMillis(100))
          .pongTimeout(Duration.ofMillis(300))).build();
      r.next(EventType.OPEN);
      long t0 = System.nanoTime();
      ErrorEvent err = r.failed();
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(ms < 9000, "took " + ms + " ms (default pong timeout 10 s)");
      assertFalse(err.message().isEmpty());
    }
  }

  @Test
  void connectTimeoutFailsASilentListener() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Recorder r = new Recorder();
      long t0 = System.nanoTime();
      r.attach(WebSocket.builder("ws://127.0.0.1:" + silent.getLocalPort() + "/")
          .connectTimeout(Duration.ofMillis(300))).build();
      ErrorEvent err = r.failed();
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(ms >= 250 && ms < 10000, "took " + ms + " ms");
      assertTrue(err.message().contains("300 ms"), err.message());
    }
  }

  @Test
  void closeTimeoutEndsAnUnansweredClose() throws Exception {
    try (LocalServers.Silent silent = new LocalServers.Silent()) {
      Recorder r = new Recorder();
      WebSocket ws = r.attach(WebSocket.builder(silent.url()).closeTimeout(Duration.ofMillis(300))).build();
      r.next(EventType.OPEN);
      long t0 = System.nanoTime();
      ws.close(1000, "no answer");
      assertEquals(WebSocket.CLOSING, ws.readyState());
      CloseEvent c = r.next(EventType.CLOSE);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(1006, c.code());
      assertFalse(c.wasClean());
      assertTrue(ms >= 250 && ms < 4900, "took " + ms + " ms (default 5 s)");
    }
  }

  @Test
  void maxMessageSizeFailsTheConnection() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = r.attach(WebSocket.builder(echo.url("/")).maxMessageSize(100)).build();
    r.next(EventType.OPEN);
    ws.send(new byte[100]);
    assertEquals(100, r.next(EventType.MESSAGE).bytes().length);
    ws.send(new byte[101]);
    r.failed();
  }

  @Test
  void sendBufferLimitFailsTheConnection() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = r.attach(WebSocket.builder(echo.url("/")).sendBufferLimit(1000)).build();
    r.next(EventType.OPEN);
    ws.send(new byte[1001]); // no throw: the connection fails, as a browser's does
    r.failed();
    assertThrows(IllegalArgumentException.class,
        () -> WebSocket.builder(echo.url("/")).maxMessageSize(0).build(), "0 is refused natively");
  }

  @Test
  void reconnectAfterADrop() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = r.attach(WebSocket.builder(node.url("/drop-after-open"))
        .reconnect(Duration.ofMillis(50), Duration.ofMillis(200), 0)).build();
    r.next(EventType.OPEN);
    CloseEvent c1 = r.next(EventType.CLOSE);
    assertEquals(1006, c1.code());
    assertTrue(c1.willReconnect());
    assertEquals(1, r.next(EventType.RECONNECT).attempt());
    r.next(EventType.OPEN);
    CloseEvent c2 = r.next(EventType.CLOSE);
    assertTrue(c2.willReconnect());
    assertFalse(ws.closeFuture().isDone());
    ws.close(); // during the delay (or after the next reconnect): it ends
    CloseEvent last = ws.closeFuture().get(Recorder.WAIT_S, TimeUnit.SECONDS);
    assertFalse(last.willReconnect());
    assertEquals(WebSocket.CLOSED, ws.readyState());
  }

  @Test
  void proxyTunnelsTheConnection() throws Exception {
    try (LocalServers.ConnectProxy proxy = new LocalServers.ConnectProxy()) {
      Recorder r = new Recorder();
      WebSocket ws = r.attach(WebSocket.builder(echo.url("/"))
          .proxy("http://user:p%40ss@127.0.0.1:" + proxy.port())).build();
      r.next(EventType.OPEN);
      ws.send("through the tunnel");
      assertEquals("through the tunnel", r.next(EventType.MESSAGE).text());
      ws.close();
      r.next(EventType.CLOSE);
      assertEquals(1, proxy.requests.size());
      String head = proxy.requests.get(0);
      assertTrue(head.startsWith("CONNECT 127.0.0.1:" + echo.port + " "), head);
      // user:p@ss in Basic authentication
      assertTrue(head.contains("Basic dXNlcjpwQHNz"), head);
    }
    assertThrows(IllegalArgumentException.class,
        () -> WebSocket.builder(echo.url("/")).proxy("socks5://127.0.0.1:1080").build());
  }

  /**
   * proxyFromEnvironment, in a child JVM whose http_proxy names the proxy: a
   * process cannot change its own environment.
   */
  @Test
  void proxyFromTheEnvironment() throws Exception {
    // The jar and the test classes, wherever the launcher found them.
    String cp = Paths.get(WebSocket.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        + java.io.File.pathSeparator
        + Paths.get(ProxyEnvChild.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    try (LocalServers.ConnectProxy proxy = new LocalServers.ConnectProxy()) {
      for (boolean fromEnv : new boolean[] {false, true}) {
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", cp, "io.polyws.ProxyEnvChild",
            echo.url("/"), Boolean.toString(fromEnv)).redirectErrorStream(true);
        pb.environment().put("http_proxy", proxy.url());
        pb.environment().remove("no_proxy");
        pb.environment().remove("NO_PROXY");
        Process p = pb.start();
        String out;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          StringBuilder sb = new StringBuilder();
          for (String l; (l = in.readLine()) != null;) sb.append(l).append('\n');
          out = sb.toString();
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("echo: via env"), out);
        assertEquals(fromEnv ? 1 : 0, proxy.requests.size(), "fromEnv=" + fromEnv + ": " + proxy.requests);
      }
    }
  }

  @Test
  void refusedOptionValuesThrow() {
    List<Runnable> bad = List.of(
        () -> WebSocket.builder(echo.url("/")).deflateWindowBits(7, 15).build(),
        () -> WebSocket.builder(echo.url("/")).pongTimeout(Duration.ZERO).build(),
        () -> WebSocket.builder(echo.url("/")).closeTimeout(Duration.ZERO).build(),
        () -> WebSocket.builder(echo.url("/")).header("Sec-WebSocket-Key", "x").build(),
        () -> WebSocket.builder(echo.url("/")).header("X-Bad", "a\r\nb").build());
    for (Runnable r : bad) assertThrows(IllegalArgumentException.class, r::run);
  }
}
