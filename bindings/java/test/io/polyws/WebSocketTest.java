package io.polyws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Java binding against real peers on loopback (polyws-echo, Node ws). */
@Timeout(60)
class WebSocketTest {
  private static final long WAIT_S = Recorder.WAIT_S;
  private static Peers echo;
  private static Peers node;

  @BeforeAll
  static void startPeers() throws Exception {
    echo = Peers.echo();
    node = Peers.node();
  }

  @AfterAll
  static void stopPeers() throws Exception {
    if (echo != null) echo.close();
    if (node != null) node.close();
  }

  @AfterEach
  void resetErrorHandler() {
    WebSocket.setListenerErrorHandler(null);
  }

  @Test
  void openMessageCloseSequence() throws Exception {
    Recorder r = new Recorder();
    AtomicReference<Integer> stateAtOpen = new AtomicReference<>();
    WebSocket ws = r.attach(WebSocket.builder(echo.url("/"))
        .onOpen(e -> {
          stateAtOpen.set(e.target().readyState());
          e.target().send("hello");
        })).build();
    assertEquals(echo.url("/"), ws.url());
    r.next(EventType.OPEN);
    assertEquals(WebSocket.OPEN, stateAtOpen.get());
    MessageEvent m = r.next(EventType.MESSAGE);
    assertFalse(m.isBinary());
    assertEquals("hello", m.text());
    assertEquals("hello", m.data());
    ws.close(1000, "bye");
    int state = ws.readyState(); // CLOSED once the close event is dispatched
    assertTrue(state == WebSocket.CLOSING || state == WebSocket.CLOSED, "state " + state);
    CloseEvent c = r.next(EventType.CLOSE);
    assertEquals(1000, c.code());
    assertTrue(c.wasClean());
    assertEquals(WebSocket.CLOSED, ws.readyState());
    assertEquals(0, ws.bufferedAmount());
    assertNull(r.events.poll(200, TimeUnit.MILLISECONDS), "nothing after close");
    for (String t : r.threads) assertEquals("polyws-dispatcher", t);
    ws.close(); // CLOSED: no effect
    ws.send("discarded"); // CLOSED: no throw
  }

  @Test
  void serverCloseCodesAndReasons() throws Exception {
    for (int code : new int[] {1000, 4001, 3999}) {
      Recorder r = new Recorder();
      r.attach(WebSocket.builder(node.url("/close?code=" + code + "&reason=why%20" + code))).build();
      r.next(EventType.OPEN);
      CloseEvent c = r.next(EventType.CLOSE);
      assertEquals(code, c.code());
      assertEquals("why " + code, c.reason());
      assertTrue(c.wasClean());
    }
  }

  @Test
  void closeArgumentsAreChecked() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = r.attach(WebSocket.builder(echo.url("/"))).build();
    r.next(EventType.OPEN);
    assertThrows(IllegalArgumentException.class, () -> ws.close(1001, "x")); // InvalidAccessError
    assertThrows(IllegalArgumentException.class, () -> ws.close(5000));
    assertThrows(IllegalArgumentException.class, () -> ws.close(1000, "x".repeat(124))); // SyntaxError
    assertEquals(WebSocket.OPEN, ws.readyState());
    ws.close(4000, "é".repeat(61)); // 122 bytes
    CloseEvent c = r.next(EventType.CLOSE);
    assertEquals(4000, c.code());
    assertEquals("é".repeat(61), c.reason());
  }

  @Test
  void closeWithReasonButNoCodeSends1000() throws Exception {
    // close(0, reason) is close(undefined, reason): the code becomes 1000.
    Recorder r = new Recorder();
    WebSocket ws = r.attach(WebSocket.builder(node.url("/close-no-code-reason"))).build();
    r.next(EventType.OPEN);
    ws.close(0, "r");
    CloseEvent c = r.next(EventType.CLOSE);
    assertEquals(1000, c.code());
    assertEquals("r", c.reason());
    // What the server received, not just what it answered.
    String report = node.report(l -> l.contains("/close-no-code-reason"), WAIT_S);
    assertNotNull(report);
    assertTrue(report.contains("\"close_code\":1000,\"close_reason\":\"r\""), report);
  }

  @Test
  void binaryAndTextStayApart() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = r.attach(WebSocket.builder(echo.url("/"))).build();
    r.next(EventType.OPEN);
    byte[] bin = new byte[70000];
    for (int i = 0; i < bin.length; i++) bin[i] = (byte) (i * 7);
    String text = "héllo € 𝄞 \u0000 end";
    ws.send(bin);
    ws.send(text);
    ws.send(new byte[0]);
    ws.send("");
    MessageEvent m1 = r.next(EventType.MESSAGE);
    assertTrue(m1.isBinary());
    assertArrayEquals(bin, m1.bytes());
    assertInstanceOf(byte[].class, m1.data());
    MessageEvent m2 = r.next(EventType.MESSAGE);
    assertFalse(m2.isBinary());
    assertEquals(text, m2.text());
    assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), m2.bytes());
    MessageEvent m3 = r.next(EventType.MESSAGE);
    assertTrue(m3.isBinary());
    assertEquals(0, m3.bytes().length);
    MessageEvent m4 = r.next(EventType.MESSAGE);
    assertFalse(m4.isBinary());
    assertEquals("", m4.text());
    ws.close();
    assertEquals(1005, r.next(EventType.CLOSE).code());
  }

  @Test
  void syntaxErrorsAreIllegalArgument() {
    for (String url : new String[] {"not a url", "ftp://127.0.0.1/", "ws://127.0.0.1/#frag", "", "/relative"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> new WebSocket(url), url);
      assertTrue(e.getMessage().startsWith("SyntaxError"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> new WebSocket(echo.url("/"), "chat", "chat"));
    assertThrows(IllegalArgumentException.class, () -> new WebSocket(echo.url("/"), "has space"));
    assertThrows(IllegalArgumentException.class, () -> new WebSocket(echo.url("/"), ""));
    assertThrows(IllegalArgumentException.class,
        () -> WebSocket.builder(echo.url("/")).header("Bad Name", "v").build());
    assertThrows(IllegalArgumentException.class,
        () -> WebSocket.builder(echo.url("/")).header("Upgrade", "v").build());
    assertThrows(NullPointerException.class, () -> new WebSocket(null));
    assertEquals("wss://127.0.0.1:1/", new WebSocket("https://127.0.0.1:1/").url());
  }

  @Test
  void sendWhileConnectingIsIllegalState() throws Exception {
    // A listener that never answers: the socket stays CONNECTING.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Recorder r = new Recorder();
      WebSocket ws = r.attach(WebSocket.builder("ws://127.0.0.1:" + silent.getLocalPort() + "/")
          .connectTimeout(Duration.ofSeconds(30))).build();
      assertEquals(WebSocket.CONNECTING, ws.readyState());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> ws.send("early"));
      assertTrue(e.getMessage().startsWith("InvalidStateError"), e.getMessage());
      assertThrows(IllegalStateException.class, () -> ws.send(new byte[] {1}));
      ws.close(); // CONNECTING: the connection fails
      r.next(EventType.ERROR);
      CloseEvent c = r.next(EventType.CLOSE);
      assertEquals(1006, c.code());
      assertFalse(c.wasClean());
      assertEquals(WebSocket.CLOSED, ws.readyState());
    }
  }

  @Test
  void refusedConnectionGivesErrorThenClose() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Recorder r = new Recorder();
    r.attach(WebSocket.builder("ws://127.0.0.1:" + port + "/")).build();
    ErrorEvent err = r.next(EventType.ERROR);
    assertFalse(err.message().isEmpty());
    assertEquals(1006, r.next(EventType.CLOSE).code());
  }

  @Test
  void listenerExceptionDoesNotStopDispatch() throws Exception {
    BlockingQueue<Throwable> reported = new LinkedBlockingQueue<>();
    WebSocket.setListenerErrorHandler((ws, t) -> reported.add(t));
    Recorder r = new Recorder();
    WebSocket ws = WebSocket.builder(echo.url("/"))
        .addEventListener(EventType.MESSAGE, e -> {
          throw new IllegalStateException("boom " + e.text());
        })
        .onOpen(e -> {
          throw new Exception("open listener fails");
        })
        .build();
    ws.addEventListener(EventType.OPEN, r::record); // may miss open; not asserted
    ws.addEventListener(EventType.MESSAGE, r::record);
    ws.addEventListener(EventType.CLOSE, r::record);
    Throwable first = reported.poll(WAIT_S, TimeUnit.SECONDS);
    assertNotNull(first);
    assertEquals("open listener fails", first.getMessage());
    ws.send("one");
    ws.send("two");
    List<String> texts = new ArrayList<>();
    while (texts.size() < 2) {
      Event e = r.next();
      if (e instanceof MessageEvent) texts.add(((MessageEvent) e).text());
    }
    assertEquals(List.of("one", "two"), texts);
    assertEquals("boom one", reported.poll(WAIT_S, TimeUnit.SECONDS).getMessage());
    assertEquals("boom two", reported.poll(WAIT_S, TimeUnit.SECONDS).getMessage());
    ws.close(1000, "done");
    Event last;
    do {
      last = r.next();
    } while (!(last instanceof CloseEvent));
    assertEquals(1000, ((CloseEvent) last).code());
  }

  @Test
  void handlersAndListenersFollowTheBrowserRules() throws Exception {
    List<String> calls = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch closed = new CountDownLatch(1);
    CountDownLatch gotX = new CountDownLatch(1);
    CountDownLatch gotY = new CountDownLatch(1);
    Listener<MessageEvent> a = e -> {
      calls.add("a:" + e.text());
      if (e.text().equals("x")) gotX.countDown();
      if (e.text().equals("y")) gotY.countDown();
    };
    WebSocket ws = WebSocket.builder(echo.url("/"))
        .onMessage(e -> calls.add("first-handler"))
        .addEventListener(EventType.MESSAGE, a)
        .addEventListener(EventType.MESSAGE, a) // twice: once
        .onClose(e -> closed.countDown())
        .build();
    ws.onMessage(e -> calls.add("handler:" + e.text())); // replaces, keeps position
    CountDownLatch opened = new CountDownLatch(1);
    ws.onOpen(e -> opened.countDown());
    // open may have run before onOpen was set; poll readyState instead then.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (ws.readyState() == WebSocket.CONNECTING && !opened.await(50, TimeUnit.MILLISECONDS))
      assertTrue(System.nanoTime() < deadline, "not open in time");
    ws.send("x");
    assertTrue(gotX.await(WAIT_S, TimeUnit.SECONDS)); // x fully dispatched before the change
    ws.removeEventListener(EventType.MESSAGE, a);
    ws.addEventListener(EventType.MESSAGE, a); // now last
    ws.send("y");
    assertTrue(gotY.await(WAIT_S, TimeUnit.SECONDS));
    ws.close(); // messages after close() are not delivered: close once y is in
    assertTrue(closed.await(WAIT_S, TimeUnit.SECONDS));
    assertEquals(List.of("handler:x", "a:x", "handler:y", "a:y"), calls);
  }

  @Test
  void sendsFromSeveralThreads() throws Exception {
    final int threads = 4;
    final int perThread = 250;
    Map<Integer, List<Integer>> got = new HashMap<>();
    CountDownLatch all = new CountDownLatch(threads * perThread);
    CountDownLatch open = new CountDownLatch(1);
    WebSocket ws = WebSocket.builder(echo.url("/"))
        .onOpen(e -> open.countDown())
        .onMessage(e -> {
          String[] p = e.text().split(":");
          got.computeIfAbsent(Integer.parseInt(p[0]), k -> new ArrayList<>())
              .add(Integer.parseInt(p[1]));
          all.countDown();
        })
        .build();
    assertTrue(open.await(WAIT_S, TimeUnit.SECONDS));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    for (int t = 0; t < threads; t++) {
      final int id = t;
      pool.execute(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < perThread; i++) {
          if ((i & 1) == 0) ws.send(id + ":" + i);
          else ws.send((id + ":" + i).getBytes(StandardCharsets.UTF_8));
        }
      });
    }
    start.countDown();
    pool.shutdown();
    assertTrue(pool.awaitTermination(WAIT_S, TimeUnit.SECONDS));
    assertTrue(all.await(WAIT_S, TimeUnit.SECONDS), "echoes missing: " + all.getCount());
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < perThread; i++) expected.add(i);
    for (int t = 0; t < threads; t++) assertEquals(expected, got.get(t), "thread " + t + " order");
    ws.close();
  }

  @Test
  void executorRunsListenersInOrder() throws Exception {
    ExecutorService exec = Executors.newFixedThreadPool(3, run -> {
      Thread t = new Thread(run, "app-executor");
      t.setDaemon(true);
      return t;
    });
    try {
      Recorder r = new Recorder();
      WebSocket ws = r.attach(WebSocket.builder(echo.url("/")).executor(exec)
          .onOpen(e -> {
            for (int i = 0; i < 100; i++) e.target().send("m" + i);
          })
          // Messages received after close() are not delivered: close on the last.
          .onMessage(e -> {
            if (e.text().equals("m99")) e.target().close(1000, "");
          })).build();
      r.next(EventType.OPEN);
      for (int i = 0; i < 100; i++) assertEquals("m" + i, r.next(EventType.MESSAGE).text());
      assertEquals(1000, r.next(EventType.CLOSE).code());
      for (String t : r.threads) assertEquals("app-executor", t);
      assertEquals(WebSocket.CLOSED, ws.readyState());
    } finally {
      exec.shutdownNow();
    }
  }

  @Test
  void tryWithResourcesCloses() throws Exception {
    Recorder r = new Recorder();
    try (WebSocket ws = r.attach(WebSocket.builder(echo.url("/"))).build()) {
      r.next(EventType.OPEN);
      assertEquals("", ws.protocol());
      assertEquals("", ws.extensions());
    }
    CloseEvent c = r.next(EventType.CLOSE);
    assertEquals(1005, c.code());
    assertTrue(c.wasClean());
  }

  @Test
  void protocolAndHeadersReachTheServer() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = r.attach(WebSocket.builder(node.url("/subprotocol"))
        .protocols("nope", "chat")).build();
    r.next(EventType.OPEN);
    assertEquals("chat", ws.protocol());
    ws.close();
    r.next(EventType.CLOSE);
    assertEquals("chat", ws.protocol()); // kept after the native socket is freed

    Recorder h = new Recorder();
    WebSocket hs = h.attach(WebSocket.builder(node.url("/headers"))
        .header("Authorization", "Bearer test")
        .header("X-Polyws-Java", "yes")).build();
    h.next(EventType.OPEN);
    String json = h.next(EventType.MESSAGE).text();
    assertTrue(json.contains("\"x-polyws-java\":\"yes\""), json);
    assertTrue(json.contains("\"authorization\":\"Bearer test\""), json);
    hs.close();
    h.next(EventType.CLOSE);
  }
}
