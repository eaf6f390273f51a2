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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The browser contract (docs/contract.md) as Java sees it, against
 * Node ws, Python websockets, the scripted raw server and polyws-echo.
 */
@Timeout(60)
class ContractTest {
  private static Peers node;
  private static Peers py;
  private static Peers raw;
  private static Peers echo;

  @BeforeAll
  static void startPeers() throws Exception {
    node = Peers.node();
    py = Peers.python();
    raw = Peers.raw();
    echo = Peers.echo();
  }

  @AfterAll
  static void stopPeers() throws Exception {
    for (Peers p : new Peers[] {node, py, raw, echo})
      if (p != null) p.close();
  }

  @Test
  void rule5StateAfterConstruction() {
    try (EventLoop loop = EventLoop.create()) { // nothing is dispatched: the state stays
      WebSocket ws = WebSocket.builder("http://127.0.0.1:" + echo.port + "/a?b=c").eventLoop(loop).build();
      assertEquals("ws://127.0.0.1:" + echo.port + "/a?b=c", ws.url());
      assertEquals(WebSocket.CONNECTING, ws.readyState());
      assertEquals("", ws.protocol());
      assertEquals("", ws.extensions());
      assertEquals(BinaryType.BLOB, ws.binaryType());
      assertEquals("blob", ws.binaryType().webName());
      assertEquals(0, ws.bufferedAmount());
      assertTrue(ws.responseHeaders().isEmpty());
    }
  }

  @Test
  void eventOrderWithPythonWebsockets() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = r.attach(WebSocket.builder(py.url("/echo")).protocols("superchat")).build();
    r.next(EventType.OPEN);
    assertEquals("superchat", ws.protocol());
    ws.send("a");
    ws.send(new byte[] {1, 2});
    assertEquals("a", r.next(EventType.MESSAGE).text());
    assertArrayEquals(new byte[] {1, 2}, r.next(EventType.MESSAGE).bytes());
    ws.close(3001, "py");
    CloseEvent c = r.next(EventType.CLOSE);
    assertEquals(3001, c.code());
    assertEquals("py", c.reason());
    assertTrue(c.wasClean());
    String report = py.report(l -> l.contains("\"close_code\": 3001"), 10);
    assertNotNull(report, "python saw the close code");

    for (String q : new String[] {"code=4002&reason=server%20side", ""}) {
      Recorder s = new Recorder();
      s.attach(WebSocket.builder(py.url("/close?" + q))).build();
      s.next(EventType.OPEN);
      CloseEvent sc = s.next(EventType.CLOSE);
      assertEquals(q.isEmpty() ? 1005 : 4002, sc.code());
      assertEquals(q.isEmpty() ? "" : "server side", sc.reason());
      assertTrue(sc.wasClean());
    }
  }

  /** Dispatches `loop` until `r` holds an event (bounded), then returns it. */
  private static Event nextOn(EventLoop loop, Recorder r) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Recorder.WAIT_S);
    while (r.events.isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "no event within " + Recorder.WAIT_S + " s");
      loop.dispatch(50);
    }
    return r.next();
  }

  /** On a host-driven loop, so that no event runs between a call and the state it leaves. */
  @Test
  void closeInEveryState() throws Exception {
    try (EventLoop loop = EventLoop.create()) {
      // OPEN -> CLOSING; CLOSING and CLOSED: nothing happens (rule 17).
      Recorder r = new Recorder();
      WebSocket ws = r.attach(WebSocket.builder(node.url("/echo")).eventLoop(loop)).build();
      assertEquals(EventType.OPEN, nextOn(loop, r).type());
      ws.close(1000, "first");
      assertEquals(WebSocket.CLOSING, ws.readyState());
      ws.close(4000, "second: ignored");
      ws.close();
      Thread.sleep(100); // the server's reply arrives, but nobody dispatched it yet
      assertEquals(WebSocket.CLOSING, ws.readyState());
      CloseEvent c = (CloseEvent) nextOn(loop, r);
      assertEquals(1000, c.code());
      assertEquals("first", c.reason());
      assertEquals(WebSocket.CLOSED, ws.readyState());
      ws.close(1000, "closed: ignored");
      assertThrows(IllegalArgumentException.class, () -> ws.close(1001), "the code is still checked");
      loop.dispatch(300);
      assertNull(r.events.poll(), "one close event only");
      String report = node.report(l -> l.contains("\"path\":\"/echo\"") && l.contains("\"close_reason\":\"first\""), 10);
      assertNotNull(report);

      // CONNECTING: the connection fails (rule 18), state CLOSING at once.
      try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
        Recorder rc = new Recorder();
        WebSocket connecting = rc.attach(WebSocket.builder("ws://127.0.0.1:" + silent.getLocalPort() + "/")
            .eventLoop(loop)).build();
        connecting.close(1000, "never mind");
        assertEquals(WebSocket.CLOSING, connecting.readyState());
        assertEquals(EventType.ERROR, nextOn(loop, rc).type());
        CloseEvent cc = (CloseEvent) nextOn(loop, rc);
        assertEquals(1006, cc.code());
        assertFalse(cc.wasClean());
      }

      // The server closes first (rule 23); close() inside the close listener does nothing.
      Recorder s = new Recorder();
      WebSocket byServer = s.attach(WebSocket.builder(node.url("/close?code=4003&reason=x")).eventLoop(loop)
          .onClose(e -> e.target().close(1000, "inside close"))).build();
      assertEquals(EventType.OPEN, nextOn(loop, s).type());
      assertEquals(4003, ((CloseEvent) nextOn(loop, s)).code());
      assertEquals(WebSocket.CLOSED, byServer.readyState());
    }
  }

  @Test
  void rule11SendsAfterCloseAreCountedNotSent() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = r.attach(WebSocket.builder(echo.url("/"))).build();
    r.next(EventType.OPEN);
    ws.close();
    ws.send("abc"); // CLOSING
    assertEquals(3, ws.bufferedAmount());
    r.next(EventType.CLOSE);
    ws.send(new byte[4]); // CLOSED
    ws.send(ByteBuffer.allocateDirect(5));
    assertEquals(12, ws.bufferedAmount());
    assertNull(r.events.poll(200, TimeUnit.MILLISECONDS));
  }

  @Test
  void rule24DropWithoutCloseFrameHasNoErrorEvent() throws Exception {
    Recorder r = new Recorder();
    r.attach(WebSocket.builder(node.url("/drop-after-open"))).build();
    r.next(EventType.OPEN);
    CloseEvent c = r.next(EventType.CLOSE);
    assertEquals(1006, c.code());
    assertFalse(c.wasClean());
  }

  @Test
  void rule25FailuresGiveErrorThenClose1006() throws Exception {
    for (String path : new String[] {"/status?code=403", "/redirect", "/subprotocol-bogus"}) {
      Recorder r = new Recorder();
      WebSocket ws = r.attach(WebSocket.builder(node.url(path))).build();
      ErrorEvent err = r.next(EventType.ERROR);
      assertEquals(WebSocket.CLOSED, ws.readyState(), "CLOSED when error fires");
      assertFalse(err.message().isEmpty(), path);
      CloseEvent c = r.next(EventType.CLOSE);
      assertEquals(1006, c.code(), path);
    }
    // Protocol violations after open: the client's close frame says why.
    String[][] cases = {{"rsv1-text", "1002"}, {"utf8-invalid-single", "1007"}, {"close-invalid-999", "1002"}};
    for (String[] k : cases) {
      Recorder r = new Recorder();
      r.attach(WebSocket.builder(raw.url("/" + k[0]))).build();
      r.next(EventType.OPEN);
      r.failed();
      String report = raw.report(l -> l.contains("\"case\": \"" + k[0] + "\""), 10);
      assertNotNull(report, k[0]);
      assertTrue(report.contains("\"client_close_code\": " + k[1]), report);
    }
  }

  @Test
  void rule13InvalidUtf8IsRefused() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = r.attach(WebSocket.builder(echo.url("/"))).build();
    r.next(EventType.OPEN);
    byte[] bad = {(byte) 0xc0, (byte) 0xaf};
    assertThrows(IllegalArgumentException.class, () -> ws.sendText(ByteBuffer.wrap(bad)));
    ByteBuffer direct = ByteBuffer.allocateDirect(2).put(bad).flip();
    assertThrows(IllegalArgumentException.class, () -> ws.sendText(direct));
    assertEquals(0, ws.bufferedAmount());
    ws.sendText(ByteBuffer.wrap("ok €".getBytes(StandardCharsets.UTF_8)));
    MessageEvent m = r.next(EventType.MESSAGE);
    assertFalse(m.isBinary());
    assertEquals("ok €", m.text());
    ws.close();
    r.next(EventType.CLOSE);
  }

  @Test
  void byteBuffersOfEveryKindAreSent() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = r.attach(WebSocket.builder(echo.url("/"))).build();
    r.next(EventType.OPEN);
    byte[] data = new byte[300000];
    for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31);

    ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
    direct.position(10).limit(70010); // a window of a direct buffer
    ws.send(direct);
    assertEquals(70010, direct.position(), "consumed");
    ByteBuffer heap = ByteBuffer.wrap(data, 5, 1000).slice(); // arrayOffset 5
    ws.send(heap);
    assertEquals(0, heap.remaining());
    ws.send(ByteBuffer.wrap(data).asReadOnlyBuffer()); // no array: copied
    ws.send(data, 100, 50);
    ws.send(ByteBuffer.allocateDirect(0));

    assertArrayEquals(java.util.Arrays.copyOfRange(data, 10, 70010), r.next(EventType.MESSAGE).bytes());
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 5, 1005), r.next(EventType.MESSAGE).bytes());
    assertArrayEquals(data, r.next(EventType.MESSAGE).bytes());
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 100, 150), r.next(EventType.MESSAGE).bytes());
    MessageEvent empty = r.next(EventType.MESSAGE);
    assertTrue(empty.isBinary());
    assertEquals(0, empty.bytes().length);
    assertThrows(IndexOutOfBoundsException.class, () -> ws.send(data, data.length - 1, 2));
    ws.close();
    r.next(EventType.CLOSE);
  }

  @Test
  void rule22BinaryTypeAppliesAtDispatch() throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = r.attach(WebSocket.builder(echo.url("/"))
        .onMessage(e -> {
          if (e.isBinary() && e.bytes()[0] == 1) e.target().setBinaryType(BinaryType.ARRAYBUFFER);
        })).build();
    r.next(EventType.OPEN);
    ws.send(new byte[] {1});
    ws.send(new byte[] {2, 3});
    ws.send("text stays text");
    MessageEvent first = r.next(EventType.MESSAGE);
    assertInstanceOf(byte[].class, first.data());
    assertEquals(BinaryType.BLOB, first.binaryType());
    MessageEvent second = r.next(EventType.MESSAGE);
    assertEquals(BinaryType.ARRAYBUFFER, second.binaryType());
    ByteBuffer b = (ByteBuffer) second.data();
    assertEquals(2, b.remaining());
    assertEquals(3, b.get(1));
    assertEquals("text stays text", r.next(EventType.MESSAGE).data());
    assertEquals(BinaryType.ARRAYBUFFER, BinaryType.fromWebName("arraybuffer"));
    assertThrows(IllegalArgumentException.class, () -> BinaryType.fromWebName("blobs"));
    ws.close();
    r.next(EventType.CLOSE);
    WebSocket ab = WebSocket.builder(echo.url("/")).binaryType(BinaryType.ARRAYBUFFER).build();
    assertEquals(BinaryType.ARRAYBUFFER, ab.binaryType());
    ab.close();
  }

  /**
   * Many threads send to Node ws at once; the server's own count of what it
   * received proves nothing was lost, and the echoes keep each thread's order.
   */
  @Test
  void concurrentSendsAreAllCountedByTheServer() throws Exception {
    final int threads = 8;
    final int perThread = 400;
    int[] next = new int[threads];
    CountDownLatch all = new CountDownLatch(threads * perThread);
    StringBuffer disorder = new StringBuffer();
    WebSocket ws = WebSocket.builder(node.url("/many-senders"))
        .onMessage(e -> {
          ByteBuffer b = e.buffer();
          int t = b.getInt();
          int i = b.getInt();
          if (next[t] != i) disorder.append(t).append(':').append(i).append(' ');
          next[t] = i + 1;
          all.countDown();
        }).connect().get(Recorder.WAIT_S, TimeUnit.SECONDS);
    Thread[] ts = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      final int id = t;
      ts[t] = new Thread(() -> {
        ByteBuffer direct = ByteBuffer.allocateDirect(8);
        for (int i = 0; i < perThread; i++) {
          if ((i % 3) == 0) {
            direct.clear();
            direct.putInt(id).putInt(i).flip();
            ws.send(direct);
          } else {
            ws.send(ByteBuffer.allocate(8).putInt(id).putInt(i).array());
          }
        }
      });
      ts[t].start();
    }
    for (Thread t : ts) t.join(TimeUnit.SECONDS.toMillis(Recorder.WAIT_S));
    assertTrue(all.await(Recorder.WAIT_S, TimeUnit.SECONDS), "echoes missing: " + all.getCount());
    assertEquals("", disorder.toString(), "per-thread order");
    ws.closeAsync(1000, "counted").get(Recorder.WAIT_S, TimeUnit.SECONDS);
    String report = node.report(l -> l.contains("/many-senders"), 10);
    assertNotNull(report);
    Matcher m = Pattern.compile("\"type\":\"binary\",\"size\":8").matcher(report);
    int n = 0;
    while (m.find()) n++;
    assertEquals(threads * perThread, n, "messages the server received");
  }
}
