package io.polyws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Every event of a socket, in order, with the thread it ran on. */
final class Recorder {
  static final long WAIT_S = 20;
  final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  final List<String> threads = Collections.synchronizedList(new ArrayList<>());

  WebSocketBuilder attach(WebSocketBuilder b) {
    return b.addEventListener(EventType.OPEN, this::record)
        .addEventListener(EventType.MESSAGE, this::record)
        .addEventListener(EventType.ERROR, this::record)
        .addEventListener(EventType.CLOSE, this::record)
        .addEventListener(EventType.RECONNECT, this::record);
  }

  void record(Event e) {
    threads.add(Thread.currentThread().getName());
    events.add(e);
  }

  Event next() throws InterruptedException {
    Event e = events.poll(WAIT_S, TimeUnit.SECONDS);
    assertNotNull(e, "no event within " + WAIT_S + " s");
    return e;
  }

  <E extends Event> E next(EventType<E> type) throws InterruptedException {
    Event e = next();
    assertEquals(type, e.type(), "expected " + type + ", got " + e);
    @SuppressWarnings("unchecked")
    E typed = (E) e;
    return typed;
  }

  /** The failure sequence of rule 25: error, then close 1006 not clean. */
  ErrorEvent failed() throws InterruptedException {
    ErrorEvent err = next(EventType.ERROR);
    CloseEvent c = next(EventType.CLOSE);
    assertEquals(1006, c.code(), c.toString());
    org.junit.jupiter.api.Assertions.assertFalse(c.wasClean());
    return err;
  }
}
