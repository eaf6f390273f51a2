package io.polyws;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Driving a host-driven EventLoop from a test thread, bounded in time. */
final class HostLoops {
  private HostLoops() {}

  /** Dispatches until {@code done}; fails after {@link Recorder#WAIT_S}. */
  static void pump(EventLoop loop, BooleanSupplier done) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Recorder.WAIT_S);
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not done within " + Recorder.WAIT_S + " s");
      loop.dispatch(20);
    }
  }
}
