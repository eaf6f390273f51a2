package io.polyws;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Hands a socket's events from the dispatching thread to an Executor: one
 * task at a time per socket, which runs the events queued so far in order,
 * so listeners never overlap and never reorder.
 *
 * <p>The queue is bounded without ever blocking the dispatching thread (it
 * serves the loop's other sockets): at {@link #HIGH_EVENTS} events or
 * {@code highBytes} message bytes the socket is paused in its loop (see
 * {@link Backpressure}), and resumed once the Executor has run it down to
 * half of both.
 */
final class ExecutorHandOff {
  static final int HIGH_EVENTS = 1024;

  private final Executor executor;
  private final Consumer<Event> deliver;
  private final Backpressure backpressure;
  private final long highBytes;
  private final ArrayDeque<Event> queue = new ArrayDeque<>(); // guarded by itself
  private long queuedBytes; // guarded by queue
  private boolean full; // guarded by queue
  private boolean draining; // guarded by queue

  ExecutorHandOff(Executor executor, Consumer<Event> deliver, Backpressure backpressure, long highBytes) {
    this.executor = executor;
    this.deliver = deliver;
    this.backpressure = backpressure;
    this.highBytes = highBytes;
  }

  private static long bytesOf(Event e) {
    return e instanceof MessageEvent ? ((MessageEvent) e).bytes().length : 0;
  }

  /** Message bytes taken from the loop and not yet run by the Executor. */
  long queuedBytes() {
    synchronized (queue) {
      return queuedBytes;
    }
  }

  /** On the dispatching thread: queue the event, and start a task unless one runs. */
  void submit(Event e) {
    synchronized (queue) {
      queue.add(e);
      queuedBytes += bytesOf(e);
      if (!full && (queue.size() >= HIGH_EVENTS || queuedBytes >= highBytes)) {
        full = true;
        backpressure.handOffFull(true);
      }
      if (draining) return;
      draining = true;
    }
    try {
      executor.execute(this::drain);
    } catch (RuntimeException rejected) {
      synchronized (queue) {
        queue.clear();
        taken(0);
        draining = false;
      }
      ListenerRegistry.report(e.target(), rejected);
    }
  }

  /** Under the queue's lock, after taking {@code bytes}: resume below half of both marks. */
  private void taken(long bytes) {
    queuedBytes = queue.isEmpty() ? 0 : queuedBytes - bytes;
    if (full && queue.size() <= HIGH_EVENTS / 2 && queuedBytes <= highBytes / 2) {
      full = false;
      backpressure.handOffFull(false);
    }
  }

  private void drain() {
    for (;;) {
      Event e;
      synchronized (queue) {
        e = queue.poll();
        if (e == null) {
          draining = false;
          return;
        }
        taken(bytesOf(e));
      }
      deliver.accept(e);
    }
  }
}
