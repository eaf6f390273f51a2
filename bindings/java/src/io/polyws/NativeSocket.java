package io.polyws;

import io.polyws.internal.PolywsNative;
import io.polyws.internal.PolywsNativeConstants;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The native socket handle: every call on it is made under its read lock, and
 * {@link #free()} takes the write lock, so no call ever sees a freed handle.
 * It never refers to the WebSocket, so that the WebSocket can become
 * unreachable while this stays registered with the {@link #CLEANER}.
 */
final class NativeSocket implements Runnable {
  /** Releases native sockets and loops the program dropped (see EventLoop and WebSocket). */
  static final Cleaner CLEANER = Cleaner.create(r -> {
    Thread t = new Thread(r, "polyws-cleaner");
    t.setDaemon(true);
    return t;
  });

  private static final byte[] EMPTY = new byte[0];

  final EventLoop.State loop;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private long handle; // 0 once released; guarded by lock
  EventLoop.SocketRef ref;
  private String protocol = "";
  private String extensions = "";
  /** bufferedAmount once released: it still grows by what send() discards (rule 11). */
  private final AtomicLong bufferedAmount = new AtomicLong();

  NativeSocket(EventLoop.State loop, long handle) {
    this.loop = loop;
    this.handle = handle;
  }

  /**
   * {@code live} applied to the handle under the read lock, or {@code released}
   * once the handle is gone.
   */
  <T> T query(LongFunction<T> live, Supplier<T> released) {
    lock.readLock().lock();
    try {
      return handle == 0 ? released.get() : live.apply(handle);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Runs {@code call} on the live handle under the read lock; nothing once released. */
  void ifLive(LongConsumer call) {
    lock.readLock().lock();
    try {
      if (handle != 0) call.accept(handle);
    } finally {
      lock.readLock().unlock();
    }
  }

  int readyState() {
    return query(PolywsNative::ws_ready_state, () -> WebSocket.CLOSED);
  }

  String protocol() {
    return query(PolywsNative::ws_protocol, () -> protocol);
  }

  String extensions() {
    return query(PolywsNative::ws_extensions, () -> extensions);
  }

  long bufferedAmount() {
    return query(PolywsNative::ws_buffered_amount, bufferedAmount::get);
  }

  /** ws_connect() of the deferred socket. */
  void connect() {
    lock.readLock().lock();
    try {
      int rc = PolywsNative.ws_connect(handle);
      if (rc != 0) throw Results.failure(rc, "ws_connect");
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---- sending ------------------------------------------------------------------

  void sendArray(boolean binary, byte[] data, int offset, int length) {
    lock.readLock().lock();
    try {
      if (handle == 0) { // CLOSED: discarded but counted, as in a browser
        bufferedAmount.addAndGet(length);
        return;
      }
      checkSend(PolywsNative.ws_java_send_array(handle, binary, data, offset, length));
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Sends the bytes from the buffer's position to its limit and moves the position to the limit. */
  void sendBuffer(boolean binary, ByteBuffer data) {
    int pos = data.position();
    int len = data.remaining();
    if (len == 0) {
      sendArray(binary, EMPTY, 0, 0); // a direct buffer of capacity 0 may have no address
    } else if (data.isDirect()) {
      lock.readLock().lock();
      try {
        if (handle != 0) checkSend(PolywsNative.ws_java_send_direct(handle, binary, data, pos, len));
        else bufferedAmount.addAndGet(len); // CLOSED: discarded but counted, as in a browser
      } finally {
        lock.readLock().unlock();
      }
    } else if (data.hasArray()) {
      sendArray(binary, data.array(), data.arrayOffset() + pos, len);
    } else {
      byte[] copy = new byte[len];
      data.duplicate().get(copy);
      sendArray(binary, copy, 0, len);
    }
    data.position(pos + len);
  }

  /** Called with the read lock held. */
  private void checkSend(int rc) {
    // A full send buffer fails the connection (error, close 1006): no throw.
    if (rc != 0 && rc != PolywsNativeConstants.WS_ERR_BUFFER_FULL)
      throw Results.failure(rc, PolywsNative.ws_last_error(handle));
  }

  /**
   * ws_close(); once released only the code is checked, as a browser does
   * for a CLOSED socket. @return false when the handle was already released.
   */
  boolean close(int code, String reason) {
    lock.readLock().lock();
    try {
      if (handle == 0) {
        if (code != 0 && code != 1000 && (code < 3000 || code > 4999))
          throw Results.failure(PolywsNativeConstants.WS_ERR_INVALID_ACCESS, "close code " + code);
        return false;
      }
      int rc = PolywsNative.ws_close(handle, code, reason);
      if (rc != 0) throw Results.failure(rc, PolywsNative.ws_last_error(handle));
      return true;
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---- release ------------------------------------------------------------------

  /** ws_free(), keeping the last attribute values. Idempotent. */
  void free() {
    lock.writeLock().lock();
    try {
      if (handle == 0) return;
      protocol = PolywsNative.ws_protocol(handle);
      extensions = PolywsNative.ws_extensions(handle);
      bufferedAmount.set(PolywsNative.ws_buffered_amount(handle));
      if (ref != null) {
        ref.strong = null;
        loop.unregister(handle, ref);
      }
      PolywsNative.ws_free(handle);
      handle = 0;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The Cleaner's action: the WebSocket was dropped without its close event. */
  @Override
  public void run() {
    free();
  }
}
