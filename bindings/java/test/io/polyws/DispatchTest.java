package io.polyws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Where listeners run (dispatcher thread, own thread, Executor, the host's dispatch()) and the futures. */
@Timeout(60)
class DispatchTest {
  private static Peers echo;

  @BeforeAll
  static void startPeers() throws Exception {
    echo = Peers.echo();
  }

  @AfterAll
  static void stopPeers() throws Exception {
    if (echo != null) echo.close();
  }

  @Test
  void hostDrivenLoopRunsListenersOnlyInsideDispatch() throws Exception {
    try (EventLoop loop = EventLoop.create()) {
      assertTrue(loop.isHostDriven());
      assertTrue(loop.fd() >= 0);
      Recorder r = new Recorder();
      WebSocket ws = r.attach(WebSocket.builder(echo.url("/")).eventLoop(loop)
          .onOpen(e -> e.target().send("ping"))).build();
      // Nothing runs while nobody dispatches: readyState stays CONNECTING.
      Thread.sleep(200);
      assertEquals(WebSocket.CONNECTING, ws.readyState());
      assertTrue(r.events.isEmpty());
      HostLoops.pump(loop, () -> r.events.size() >= 2);
      assertEquals(EventType.OPEN, r.next().type());
      assertEquals("ping", r.next(EventType.MESSAGE).text());
      String me = Thread.currentThread().getName();
      for (String t : r.threads) assertEquals(me, t, "listeners run on the dispatching thread");
      ws.close(1000, "bye");
      HostLoops.pump(loop, () -> !r.events.isEmpty());
      assertEquals(1000, r.next(EventType.CLOSE).code());
      assertEquals(0, loop.dispatch(0));
    }
  }

  @Test
  void dispatchDoesNotNestAndRefusesOwnThreadLoops() throws Exception {
    try (EventLoop loop = EventLoop.create()) {
      AtomicReference<Throwable> nested = new AtomicReference<>();
      WebSocket ws = WebSocket.builder(echo.url("/")).eventLoop(loop)
          .onOpen(e -> {
            try {
              loop.dispatch(0);
            } catch (Throwable t) {
              nested.set(t);
            }
          }).build();
      HostLoops.pump(loop, () -> nested.get() != null);
      assertInstanceOf(IllegalStateException.class, nested.get());
      ws.close();
    }
    try (EventLoop threaded = EventLoop.withThread("own-thread")) {
      assertFalse(threaded.isHostDriven());
      assertThrows(IllegalStateException.class, () -> threaded.dispatch(0));
      Recorder r = new Recorder();
      WebSocket ws = r.attach(WebSocket.builder(echo.url("/")).eventLoop(threaded)).build();
      r.next(EventType.OPEN);
      ws.close();
      r.next(EventType.CLOSE);
      for (String t : r.threads) assertEquals("own-thread", t);
    }
  }

  @Test
  void closingALoopReleasesItsSockets() throws Exception {
    EventLoop loop = EventLoop.create();
    Recorder r = new Recorder();
    WebSocket ws = r.attach(WebSocket.builder(echo.url("/")).eventLoop(loop)).build();
    HostLoops.pump(loop, () -> !r.events.isEmpty());
    assertEquals(WebSocket.OPEN, ws.readyState());
    loop.close();
    assertEquals(WebSocket.CLOSED, ws.readyState());
    ws.send("after the loop closed: discarded");
    assertEquals(0, loop.dispatch(0));
    assertThrows(IllegalStateException.class, () -> WebSocket.builder(echo.url("/")).eventLoop(loop).build());
    loop.close(); // twice: no effect
  }

  @Test
  void closeEndsADispatchThatWaitsWithoutLimit() throws Exception {
    EventLoop loop = EventLoop.create();
    CompletableFuture<Integer> ran = new CompletableFuture<>();
    Thread t = new Thread(() -> ran.complete(loop.dispatch(-1)));
    t.start();
    Thread.sleep(100);
    assertFalse(ran.isDone(), "waits: nothing to dispatch");
    long t0 = System.nanoTime();
    loop.close();
    assertEquals(0, ran.get(Recorder.WAIT_S, TimeUnit.SECONDS));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(ms < 3000, "close took " + ms + " ms");
    t.join(TimeUnit.SECONDS.toMillis(Recorder.WAIT_S));
  }

  @Test
  void hostDrivenLoopFromTwoThreadsNeverOverlaps() throws Exception {
    try (EventLoop loop = EventLoop.create()) {
      AtomicInteger inside = new AtomicInteger();
      AtomicInteger overlaps = new AtomicInteger();
      AtomicInteger got = new AtomicInteger();
      final int n = 300;
      WebSocket ws = WebSocket.builder(echo.url("/")).eventLoop(loop)
          .onOpen(e -> {
            for (int i = 0; i < n; i++) e.target().send("m" + i);
          })
          .onMessage(e -> {
            if (inside.incrementAndGet() != 1) overlaps.incrementAndGet();
            got.incrementAndGet();
            inside.decrementAndGet();
          }).build();
      Runnable pumper = () -> HostLoops.pump(loop, () -> got.get() >= n);
      Thread a = new Thread(pumper);
      Thread b = new Thread(pumper);
      a.start();
      b.start();
      a.join(TimeUnit.SECONDS.toMillis(Recorder.WAIT_S + 5));
      b.join(TimeUnit.SECONDS.toMillis(Recorder.WAIT_S + 5));
      assertEquals(n, got.get());
      assertEquals(0, overlaps.get());
      ws.close();
    }
  }

  @Test
  void listenersNeverRunOnTheIoThreadNorConcurrently() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      AtomicInteger inside = new AtomicInteger();
      AtomicInteger overlaps = new AtomicInteger();
      List<String> threads = Collections.synchronizedList(new ArrayList<>());
      CompletableFuture<Void> done = new CompletableFuture<>();
      final int n = 500;
      AtomicInteger got = new AtomicInteger();
      WebSocket ws = WebSocket.builder(echo.url("/")).executor(pool)
          .onOpen(e -> {
            for (int i = 0; i < n; i++) e.target().send(new byte[] {(byte) i});
          })
          .onMessage(e -> {
            if (inside.incrementAndGet() != 1) overlaps.incrementAndGet();
            threads.add(Thread.currentThread().getName());
            Thread.yield();
            inside.decrementAndGet();
            if (got.incrementAndGet() == n) done.complete(null);
          }).build();
      done.get(Recorder.WAIT_S, TimeUnit.SECONDS);
      assertEquals(0, overlaps.get());
      for (String t : threads) {
        assertTrue(t.startsWith("pool-"), t);
        assertFalse(t.contains("lws") || t.contains("polyws-io"), t);
      }
      ws.close();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void connectFutureCompletesOnOpen() throws Exception {
    WebSocket ws = WebSocket.connect(echo.url("/")).get(Recorder.WAIT_S, TimeUnit.SECONDS);
    assertEquals(WebSocket.OPEN, ws.readyState());
    CompletableFuture<String> echoed = new CompletableFuture<>();
    ws.onMessage(e -> echoed.complete(e.text()));
    ws.send("future");
    assertEquals("future", echoed.get(Recorder.WAIT_S, TimeUnit.SECONDS));
    CloseEvent c = ws.closeAsync(4000, "done").get(Recorder.WAIT_S, TimeUnit.SECONDS);
    assertEquals(4000, c.code());
    assertTrue(c.wasClean());
    assertTrue(ws.openFuture().isDone(), "stays complete");
    assertEquals(c, ws.closeFuture().get(), "the same final event");
  }

  @Test
  void connectFutureFailsWithTheReason() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    CompletableFuture<WebSocket> f = WebSocket.connect("ws://127.0.0.1:" + port + "/");
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(Recorder.WAIT_S, TimeUnit.SECONDS));
    assertInstanceOf(WebSocketException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("127.0.0.1:" + port), e.getCause().getMessage());
    // A SyntaxError fails the future instead of throwing.
    ExecutionException syntax = assertThrows(ExecutionException.class,
        () -> WebSocket.connect("ftp://127.0.0.1/").get(1, TimeUnit.SECONDS));
    assertInstanceOf(IllegalArgumentException.class, syntax.getCause());
    // close() while connecting: the open future fails, the close future gets 1006.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      WebSocket ws = new WebSocket("ws://127.0.0.1:" + silent.getLocalPort() + "/");
      CompletableFuture<WebSocket> open = ws.openFuture();
      CloseEvent c = ws.closeAsync(0, null).get(Recorder.WAIT_S, TimeUnit.SECONDS);
      assertEquals(1006, c.code());
      assertTrue(open.isCompletedExceptionally());
    }
  }

  @Test
  void futureStagesSeeTheSocketOpen() throws Exception {
    AtomicReference<Integer> stateInStage = new AtomicReference<>();
    WebSocket ws = WebSocket.builder(echo.url("/")).connect()
        .thenApply(s -> {
          stateInStage.set(s.readyState());
          return s;
        }).get(Recorder.WAIT_S, TimeUnit.SECONDS);
    assertEquals(WebSocket.OPEN, stateInStage.get());
    ws.closeAsync(1000, null).get(Recorder.WAIT_S, TimeUnit.SECONDS);
    assertNotEquals(null, ws.closeFuture().getNow(null));
    assertNull(new CompletableFuture<>().getNow(null));
  }
}
