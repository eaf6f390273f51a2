package io.polyws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Loops with inline I/O (WS_DELIVERY_HOST_DRIVEN: no library I/O thread, the
 * thread taking events does the I/O): a whole conversation against each peer,
 * driven by dispatch() and by the loop's own dispatcher thread.
 */
@Timeout(60)
class InlineIoTest {
  private static Peers echo, node, python;
  private static final byte[] BYTES = new byte[70000];

  @BeforeAll
  static void startPeers() throws Exception {
    for (int i = 0; i < BYTES.length; i++) BYTES[i] = (byte) (i * 7);
    echo = Peers.echo();
    node = Peers.node();
    python = Peers.python();
  }

  @AfterAll
  static void stopPeers() throws Exception {
    for (Peers p : new Peers[] {echo, node, python}) if (p != null) p.close();
  }

  /** open, text and binary echoes, 100 round trips sent from the listener, close 4000 with a reason. */
  private static void conversation(EventLoop loop, String url, boolean hostCallsDispatch) throws Exception {
    Recorder r = new Recorder();
    AtomicInteger rounds = new AtomicInteger();
    WebSocket ws = r.attach(WebSocket.builder(url).eventLoop(loop)
        .onOpen(e -> e.target().send("h\u00e9llo \u4e16\u754c"))
        .onMessage(e -> {
          if (e.isBinary()) {
            e.target().send("r0");
          } else if (e.text().startsWith("r")) {
            int n = rounds.incrementAndGet();
            if (n < 100) e.target().send("r" + n);
            else e.target().close(4000, "inline bye");
          } else {
            e.target().send(BYTES);
          }
        })).build();
    if (hostCallsDispatch) HostLoops.pump(loop, () -> r.events.stream().anyMatch(e -> e.type() == EventType.CLOSE));
    assertEquals(EventType.OPEN, r.next().type());
    assertEquals("h\u00e9llo \u4e16\u754c", r.next(EventType.MESSAGE).text());
    MessageEvent bin = r.next(EventType.MESSAGE);
    assertTrue(bin.isBinary());
    assertArrayEquals(BYTES, bin.bytes());
    for (int i = 0; i < 100; i++) assertEquals("r" + i, r.next(EventType.MESSAGE).text());
    CloseEvent c = r.next(EventType.CLOSE);
    assertEquals(4000, c.code());
    assertEquals("inline bye", c.reason());
    assertTrue(c.wasClean());
    assertEquals(WebSocket.CLOSED, ws.readyState());
    String first = r.threads.get(0);
    for (String t : r.threads) assertEquals(first, t, "every listener on the thread that does the I/O");
  }

  @Test
  void dispatchDrivenConversationWithEveryPeer() throws Exception {
    try (EventLoop loop = EventLoop.createWithInlineIo()) {
      assertTrue(loop.hasInlineIo());
      assertTrue(loop.isHostDriven());
      assertEquals(-1, loop.fd());
      for (Peers p : new Peers[] {echo, node, python}) conversation(loop, p.url("/"), true);
    }
  }

  @Test
  void dispatcherThreadConversationWithEveryPeer() throws Exception {
    try (EventLoop loop = EventLoop.withThreadAndInlineIo("polyws-inline-test")) {
      assertTrue(loop.hasInlineIo());
      assertFalse(loop.isHostDriven());
      for (Peers p : new Peers[] {echo, node, python}) conversation(loop, p.url("/"), false);
    }
  }

  @Test
  void sendFromAnotherThreadWakesTheDispatcherThread() throws Exception {
    try (EventLoop loop = EventLoop.withThreadAndInlineIo("polyws-inline-wake")) {
      Recorder r = new Recorder();
      WebSocket ws = r.attach(WebSocket.builder(echo.url("/")).eventLoop(loop)).build();
      assertEquals(EventType.OPEN, r.next().type());
      for (int i = 0; i < 20; i++) {
        ws.send("w" + i); // from this thread, while the dispatcher thread waits in the library
        assertEquals("w" + i, r.next(EventType.MESSAGE).text());
      }
      CompletableFuture<CloseEvent> closed = ws.closeAsync(1000, "done");
      CloseEvent c = closed.get(Recorder.WAIT_S, TimeUnit.SECONDS);
      assertTrue(c.wasClean());
      assertEquals("done", c.reason());
    }
  }

  @Test
  void closingTheLoopReleasesSocketsInEveryState() throws Exception {
    EventLoop loop = EventLoop.createWithInlineIo();
    Recorder r = new Recorder();
    WebSocket open = r.attach(WebSocket.builder(echo.url("/")).eventLoop(loop)).build();
    HostLoops.pump(loop, () -> !r.events.isEmpty());
    assertEquals(EventType.OPEN, r.next().type());
    open.send("pending");
    WebSocket closing = WebSocket.builder(echo.url("/")).eventLoop(loop).build();
    WebSocket connecting = WebSocket.builder(node.url("/slow-handshake")).eventLoop(loop).build();
    HostLoops.pump(loop, () -> closing.readyState() == WebSocket.OPEN);
    closing.close(1000);
    loop.close();
    for (WebSocket ws : new WebSocket[] {open, closing, connecting})
      assertEquals(WebSocket.CLOSED, ws.readyState());
    assertEquals(0, loop.dispatch(0));
    loop.close(); // idempotent
  }
}
