package io.polyws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Receive flow control and backpressure against node_server.js's /flood: a
 * consumer that does not keep up holds at most the receive limit (plus a
 * message and a transport read), the server's writes block, and once it
 * consumes again every message arrives in order, the server's ping is
 * answered and the flood closes 1000 "done".
 */
@Timeout(180)
class FlowControlTest {
  private static final long LIMIT = 1024 * 1024;
  private static Peers node;

  @BeforeAll
  static void startPeers() throws Exception {
    node = Peers.node();
  }

  @AfterAll
  static void stopPeers() throws Exception {
    if (node != null) node.close();
  }

  /**
   * A listener that does not return from the first message until the
   * server's writes are blocked; then the whole flood must arrive.
   * {@code mostHeld}: what the socket may hold meanwhile.
   */
  private static void floodAStuckListener(WebSocketBuilder b, long mostHeld) throws Exception {
    CountDownLatch stuck = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (EventLoop controlLoop = EventLoop.create(); Flood flood = new Flood(node, controlLoop)) {
      WebSocket ws = b.receiveLimit(LIMIT)
          .onMessage(e -> {
            flood.record(e);
            stuck.countDown();
            release.await(120, TimeUnit.SECONDS);
          })
          .build();
      CompletableFuture<CloseEvent> closed = ws.closeFuture();
      try {
        assertTrue(stuck.await(Recorder.WAIT_S, TimeUnit.SECONDS), "no message within " + Recorder.WAIT_S + " s");
        flood.awaitServerBlocked(ws, LIMIT, mostHeld);
        assertEquals(List.of(0), flood.sequence, "the listener still holds the first message");
      } finally {
        release.countDown();
      }
      flood.assertComplete(closed);
    }
  }

  /** The default delivery (the shared dispatcher thread) with a listener stuck on the first message. */
  @Test
  void receiveLimitStopsReadingWhileAListenerIsSlow() throws Exception {
    floodAStuckListener(WebSocket.builder(node.url(Flood.path())), LIMIT + Flood.MARGIN);
  }

  /**
   * initialDemand/request on a host-driven loop: exactly the demanded
   * messages run, then the socket waits (paused) while the control socket
   * on the same loop still talks; a consumer requesting one message at a
   * time then takes the rest.
   */
  private static void demandHoldsMessagesUntilRequested(EventLoop loop) throws Exception {
    AtomicBoolean consuming = new AtomicBoolean();
    try (loop; Flood flood = new Flood(node, loop)) {
      WebSocket ws = WebSocket.builder(node.url(Flood.path())).eventLoop(loop)
          .receiveLimit(LIMIT).initialDemand(3)
          .onMessage(e -> {
            flood.record(e);
            if (consuming.get()) e.target().request(1);
          })
          .build();
      CompletableFuture<CloseEvent> closed = ws.closeFuture();
      flood.awaitServerBlocked(ws, LIMIT, LIMIT + Flood.MARGIN);
      assertEquals(List.of(0, 1, 2), flood.sequence);
      assertEquals(0, ws.demand());
      consuming.set(true);
      ws.request(1);
      HostLoops.pump(loop, closed::isDone);
      flood.assertComplete(closed);
    }
  }

  @Test
  void demandHoldsMessagesUntilRequested() throws Exception {
    demandHoldsMessagesUntilRequested(EventLoop.create());
  }

  /** The same where the dispatching thread does the I/O (nothing is read between dispatch calls). */
  @Test
  void demandHoldsMessagesUntilRequestedWithInlineIo() throws Exception {
    demandHoldsMessagesUntilRequested(EventLoop.createWithInlineIo());
  }

  /**
   * An Executor whose task is stuck: the dispatcher thread goes on (it is
   * not blocked), but the hand-off to the Executor is bounded, so the
   * socket is paused and the server's writes block all the same.
   */
  @Test
  void executorHandOffIsBounded() throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      // The hand-off pauses the socket at the limit again (one message may cross it).
      floodAStuckListener(WebSocket.builder(node.url(Flood.path())).executor(executor),
          2 * LIMIT + Flood.SIZE + Flood.MARGIN);
    } finally {
      executor.shutdown();
      assertTrue(executor.awaitTermination(Recorder.WAIT_S, TimeUnit.SECONDS));
    }
  }

  /** With no demand, an echoed message waits; close() lets the close event through and drops it (rule 22). */
  @Test
  void closeDoesNotWaitForDemand() throws Exception {
    try (EventLoop loop = EventLoop.create()) {
      Recorder r = new Recorder();
      WebSocket ws = r.attach(WebSocket.builder(node.url("/echo")).eventLoop(loop).initialDemand(0)
          .onOpen(e -> e.target().send("held"))).build();
      HostLoops.pump(loop, () -> !r.events.isEmpty());
      assertEquals(EventType.OPEN, r.next().type());
      // The held echo counts its 4 bytes plus the loop's bookkeeping for it.
      HostLoops.pump(loop, () -> ws.undeliveredAmount() > "held".length());
      assertTrue(r.events.isEmpty(), "the echo waits for demand");
      ws.close(1000, "no demand");
      HostLoops.pump(loop, () -> !r.events.isEmpty());
      CloseEvent c = r.next(EventType.CLOSE);
      assertEquals(1000, c.code());
      assertEquals("no demand", c.reason());
    }
  }

  @Test
  void limitsAndDemandAreValidated() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> WebSocket.builder("ws://127.0.0.1/").receiveLimit(0));
    assertThrows(IllegalArgumentException.class, () -> WebSocket.builder("ws://127.0.0.1/").receiveLimit(-1));
    assertThrows(IllegalArgumentException.class, () -> WebSocket.builder("ws://127.0.0.1/").initialDemand(-1));
    try (EventLoop loop = EventLoop.create()) {
      WebSocket ws = WebSocket.builder(node.url("/echo")).eventLoop(loop).build();
      assertEquals(Long.MAX_VALUE, ws.demand(), "unlimited by default");
      assertThrows(IllegalArgumentException.class, () -> ws.request(0));
      assertThrows(IllegalArgumentException.class, () -> ws.request(-5));
      ws.request(10);
      assertEquals(Long.MAX_VALUE, ws.demand(), "unlimited stays unlimited");
      WebSocket counted = WebSocket.builder(node.url("/echo")).eventLoop(loop).initialDemand(0).build();
      counted.request(Long.MAX_VALUE);
      counted.request(7);
      assertEquals(Long.MAX_VALUE, counted.demand(), "saturates");
    }
  }
}
