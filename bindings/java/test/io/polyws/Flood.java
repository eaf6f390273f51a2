package io.polyws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client side of node_server.js's /flood (COUNT numbered binary messages
 * of SIZE bytes, as fast as TCP takes them, then a ping and a closing text)
 * and /flood-status (the flood's state, asked on a control socket of its own
 * host-driven loop, so that it never waits behind the flooded socket).
 */
final class Flood implements AutoCloseable {
  static final int SIZE = 64 * 1024;
  /** 128 MiB: far more than a stalled path holds (kernel buffers of tens of MiB plus the limits). */
  static final int COUNT = 2048;
  /** What the core may read past the limit: one message plus one transport read (polyws.h). */
  static final long MARGIN = SIZE + 256 * 1024;
  private static final long HANG_GUARD_S = 60;
  /** Status round trips over which a blocked flood must not move. */
  private static final int STEADY_POLLS = 5;

  /** What a flooded socket's listener saw, in order. */
  final List<Integer> sequence = Collections.synchronizedList(new ArrayList<>());
  final AtomicReference<String> finalText = new AtomicReference<>();
  private final EventLoop controlLoop;
  private final WebSocket control;
  private final AtomicReference<String> status = new AtomicReference<>();

  /** Opens the control socket to {@code peer}'s /flood-status, on {@code controlLoop} (host-driven). */
  Flood(Peers peer, EventLoop controlLoop) {
    this.controlLoop = controlLoop;
    control = WebSocket.builder(peer.url("/flood-status")).eventLoop(controlLoop)
        .onMessage(e -> status.set(e.text())).build();
    HostLoops.pump(controlLoop, () -> control.readyState() == WebSocket.OPEN);
  }

  static String path() {
    return "/flood?count=" + COUNT + "&size=" + SIZE;
  }

  /** For a flooded socket's onMessage: records a sequence number or the final text. */
  void record(MessageEvent e) {
    if (e.isBinary()) {
      assertEquals(SIZE, e.bytes().length);
      sequence.add(e.buffer().getInt());
    } else {
      finalText.set(e.text());
    }
  }

  /** One status round trip: {"sent":n,"count":N,"stalled":bool,"stalls":K,"done":bool}. */
  String status() {
    status.set(null);
    control.send("status?");
    HostLoops.pump(controlLoop, () -> status.get() != null);
    return status.get();
  }

  private static long number(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\":(\\d+)").matcher(json);
    assertTrue(m.find(), key + " in " + json);
    return Long.parseLong(m.group(1));
  }

  /**
   * Waits until the server's writes block for good: it reports a stall
   * before the end of the flood, {@code ws} holds more than half of
   * {@code limit} undelivered (the loop stops reading at the limit and reads
   * again at half), and neither what was sent nor what is held moves over
   * {@link #STEADY_POLLS} status round trips (a consumer that merely lags
   * behind moves them). Fails if the flood ends first. Then checks that
   * what the socket holds stays within {@code mostHeld}.
   */
  void awaitServerBlocked(WebSocket ws, long limit, long mostHeld) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_S);
    long lastSent = -1, lastHeld = -1;
    int steady = 0;
    while (steady < STEADY_POLLS) {
      if (System.nanoTime() > deadline)
        fail("the server's writes did not block within " + HANG_GUARD_S + " s: " + status.get()
            + ", undelivered " + ws.undeliveredAmount());
      // The server sets the flood's state before its handshake response:
      // a status asked once the socket is open is this flood's.
      boolean open = ws.readyState() != WebSocket.CONNECTING;
      String s = status();
      if (!open) continue;
      long sent = number(s, "sent");
      long held = ws.undeliveredAmount();
      assertTrue(sent < COUNT, "the whole flood went out: nothing pushed back (" + s + ")");
      assertFalse(s.contains("\"done\":true"), s);
      boolean blocked = s.contains("\"stalled\":true") && held > limit / 2;
      steady = blocked && sent == lastSent && held == lastHeld ? steady + 1 : 0;
      lastSent = sent;
      lastHeld = held;
    }
    assertTrue(lastHeld <= mostHeld, "undelivered " + lastHeld + " > " + mostHeld);
  }

  /** Everything arrived after all: 0..COUNT-1 in order, the pong, close 1000 "done". */
  void assertComplete(CompletableFuture<CloseEvent> closed) throws Exception {
    CloseEvent c = closed.get(HANG_GUARD_S, TimeUnit.SECONDS);
    assertEquals(1000, c.code(), c.toString());
    assertEquals("done", c.reason());
    List<Integer> seen;
    synchronized (sequence) {
      seen = new ArrayList<>(sequence);
    }
    assertEquals(COUNT, seen.size(), "messages");
    for (int i = 0; i < COUNT; i++)
      if (seen.get(i) != i) fail("message " + i + " has sequence number " + seen.get(i));
    assertNotNull(finalText.get(), "the final text");
    assertTrue(finalText.get().contains("\"pong\":\"flood-ping\""), finalText.get());
  }

  @Override
  public void close() {
    control.close(1000, "");
    HostLoops.pump(controlLoop, () -> control.readyState() == WebSocket.CLOSED);
  }
}
