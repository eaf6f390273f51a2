package io.polyws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Garbage collection: a socket whose listeners are reachable only through it
 * survives System.gc() loops while its events flow; a socket (or a host-driven
 * loop) dropped without close() is released by its Cleaner, which the server
 * sees as close 1001 (going away).
 */
@Timeout(90)
class GcTest {
  private static Peers node;

  @BeforeAll
  static void startPeers() throws Exception {
    node = Peers.node();
  }

  @AfterAll
  static void stopPeers() throws Exception {
    if (node != null) node.close();
  }

  /** The server's report of the connection to `path`, waiting while collecting garbage. */
  private static String reportWhileCollecting(String path) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      System.gc();
      byte[][] garbage = new byte[64][];
      for (int i = 0; i < garbage.length; i++) garbage[i] = new byte[16384];
      String r = node.report(l -> l.contains("\"path\":\"" + path + "\""), 0);
      if (r == null) r = node.report(l -> l.contains("\"path\":\"" + path + "\""), 1);
      if (r != null) return r;
    }
    return null;
  }

  private static final int ROUNDS = 300;

  /** Built here, returned nowhere: only the loop can keep it alive. */
  private static void startPingPong(CompletableFuture<CloseEvent> done, AtomicInteger rounds) {
    WebSocket.builder(node.url("/gc-pingpong"))
        .onOpen(e -> e.target().send(new byte[1024]))
        .onMessage(e -> {
          if (rounds.incrementAndGet() < ROUNDS) e.target().send(e.bytes());
          else e.target().close(1000, "enough");
        })
        .onClose(done::complete)
        .build();
  }

  @Test
  void listenersReachableOnlyThroughTheSocketSurviveGc() throws Exception {
    CompletableFuture<CloseEvent> done = new CompletableFuture<>();
    AtomicInteger rounds = new AtomicInteger();
    startPingPong(done, rounds);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    while (!done.isDone()) {
      assertTrue(System.nanoTime() < deadline, "stalled at round " + rounds.get());
      System.gc();
      byte[][] garbage = new byte[256][];
      for (int i = 0; i < garbage.length; i++) garbage[i] = new byte[4096];
      Thread.sleep(5);
    }
    CloseEvent c = done.get();
    assertEquals(1000, c.code(), c.toString());
    assertEquals(ROUNDS, rounds.get());
    String report = node.report(l -> l.contains("/gc-pingpong"), 10);
    assertNotNull(report);
    assertTrue(report.contains("\"close_code\":1000"), report);
  }

  /** Opens a socket with no listener and returns only a weak reference to it. */
  private static WeakReference<WebSocket> openAndDrop(String path, EventLoop loop) throws Exception {
    return openAndDrop(path, loop, false);
  }

  private static WeakReference<WebSocket> openAndDrop(String path, EventLoop loop, boolean listener)
      throws Exception {
    WebSocketBuilder b = WebSocket.builder(node.url(path));
    if (listener) b.onMessage(e -> {});
    if (loop != null) b.eventLoop(loop);
    WebSocket ws = b.build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Recorder.WAIT_S);
    while (ws.readyState() != WebSocket.OPEN) {
      assertTrue(System.nanoTime() < deadline, "not open");
      if (loop != null) loop.dispatch(50);
      else Thread.sleep(10);
    }
    return new WeakReference<>(ws);
  }

  @Test
  void socketDroppedWithoutCloseIsReleased() throws Exception {
    WeakReference<WebSocket> ref = openAndDrop("/gc-dropped", null);
    String report = reportWhileCollecting("/gc-dropped");
    assertNotNull(report, "the dropped socket was never released");
    assertTrue(report.contains("\"close_code\":1001"), report);
    assertNull(ref.get());
  }

  @Test
  void hostDrivenLoopDroppedWithItsSocketIsReleased() throws Exception {
    WeakReference<WebSocket> ref = openAndDrop("/gc-dropped-loop", EventLoop.create());
    String report = reportWhileCollecting("/gc-dropped-loop");
    assertNotNull(report, "the dropped loop and socket were never released");
    assertTrue(report.contains("\"close_code\":1001"), report);
    assertNull(ref.get());
  }

  /** Nobody can dispatch a dropped loop: its sockets go with it, listeners or not. */
  @Test
  void hostDrivenLoopDroppedWithAListeningSocketIsReleased() throws Exception {
    WeakReference<WebSocket> ref = openAndDrop("/gc-dropped-loop-listener", EventLoop.create(), true);
    String report = reportWhileCollecting("/gc-dropped-loop-listener");
    assertNotNull(report, "the dropped loop and socket were never released");
    assertTrue(report.contains("\"close_code\":1001"), report);
  }

  @Test
  void aSocketWithAListenerIsNotCollectedWhileOpen() throws Exception {
    CompletableFuture<String> got = new CompletableFuture<>();
    WeakReference<WebSocket> ref;
    {
      WebSocket ws = WebSocket.builder(node.url("/gc-kept")).onMessage(e -> got.complete(e.text())).build();
      ref = new WeakReference<>(ws);
    }
    for (int i = 0; i < 20; i++) {
      System.gc();
      Thread.sleep(10);
    }
    WebSocket ws = ref.get();
    assertNotNull(ws, "collected although it has a listener");
    ws.openFuture().get(Recorder.WAIT_S, TimeUnit.SECONDS);
    ws.send("still here");
    assertEquals("still here", got.get(Recorder.WAIT_S, TimeUnit.SECONDS));
    ws.close(1000, null);
  }
}
