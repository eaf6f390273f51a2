package io.polyws;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Hands a socket's events from the dispatching thread to an Executor: one
 * task at a time per socket, which runs the events queued so far in order,
 * so listeners never overlap and never reorder.
 */
final class ExecutorHandOff {
  private final Executor executor;
  private final Consumer<Event> deliver;
  private final ArrayDeque<Event> queue = new ArrayDeque<>(); // guarded by itself
  private boolean draining; // guarded by queue

  ExecutorHandOff(Executor executor, Consumer<Event> deliver) {
    this.executor = executor;
    this.deliver = deliver;
  }

  /** On the dispatching thread: queue the event, and start a task unless one runs. */
  void submit(Event e) {
    synchronized (queue) {
      queue.add(e);
      if (draining) return;
      draining = true;
    }
    try {
      executor.execute(this::drain);
    } catch (RuntimeException rejected) {
      synchronized (queue) {
        queue.clear();
        draining = false;
      }
      ListenerRegistry.report(e.target(), rejected);
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
      }
      deliver.accept(e);
    }
  }
}
