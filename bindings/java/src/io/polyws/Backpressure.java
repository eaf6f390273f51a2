package io.polyws;

import io.polyws.internal.PolywsNative;

/**
 * Why a socket's events are held in its loop ({@code ws_pause}): no
 * outstanding demand ({@link WebSocket#request}) once open, or a full
 * Executor hand-off. While held, undelivered messages count against the
 * receive limit, so the loop soon stops reading the socket and TCP pushes
 * back on the server. The socket is resumed when neither reason is left.
 *
 * <p>Demand is counted in messages taken from the loop; {@link #UNLIMITED}
 * (the default) is never counted down.
 */
final class Backpressure {
  static final long UNLIMITED = Long.MAX_VALUE;

  private final NativeSocket nat;
  private volatile long demand; // written under this
  private boolean opened; // guarded by this: demand gates messages, never the open event
  private boolean handOffFull; // guarded by this
  private boolean closeCalled; // guarded by this: what is held now is only dropped or the close event
  private boolean paused; // guarded by this: what was last asked of the native socket

  Backpressure(NativeSocket nat, long initialDemand) {
    this.nat = nat;
    this.demand = initialDemand;
  }

  synchronized long demand() {
    return demand;
  }

  /** request(n): more demand, saturating at UNLIMITED. */
  synchronized void request(long n) {
    demand = demand > UNLIMITED - n ? UNLIMITED : demand + n;
    apply();
  }

  /** On the dispatching thread, once the open event is taken. */
  synchronized void opened() {
    opened = true;
    apply();
  }

  /** On the dispatching thread, for each message taken from the loop. */
  void messageTaken() {
    if (demand == UNLIMITED) return; // once unlimited, always unlimited
    synchronized (this) {
      if (demand > 0 && demand != UNLIMITED) demand--;
      apply();
    }
  }

  /**
   * close() was called: demand no longer holds events back. The messages
   * still held are dropped when taken (not OPEN, rule 22) and the close
   * event comes without a request.
   */
  synchronized void closeCalled() {
    closeCalled = true;
    apply();
  }

  /** The Executor hand-off went over its high mark (true) or back under its low mark (false). */
  synchronized void handOffFull(boolean full) {
    handOffFull = full;
    apply();
  }

  /** Pauses or resumes the native socket to match the reasons; the monitor is held. */
  private void apply() {
    boolean hold = (opened && demand == 0 && !closeCalled) || handOffFull;
    if (hold == paused) return;
    paused = hold;
    nat.ifLive(h -> {
      if (hold) PolywsNative.ws_pause(h);
      else PolywsNative.ws_resume(h);
    });
  }
}
