package io.polyws;

import io.polyws.internal.PolywsNativeConstants;
import java.util.concurrent.CompletableFuture;

/**
 * The futures of one socket: open (or why it never opened) and the final
 * close. Each hand-out is a copy, so a caller completing or cancelling its
 * copy cannot change what others see.
 */
final class SocketFutures {
  private final CompletableFuture<WebSocket> open = new CompletableFuture<>();
  private final CompletableFuture<CloseEvent> close = new CompletableFuture<>();
  private volatile boolean handedOut;

  /** Whether a future was handed out (the socket is then kept reachable until its close). */
  boolean handedOut() {
    return handedOut;
  }

  CompletableFuture<WebSocket> open() {
    handedOut = true;
    return open.copy();
  }

  CompletableFuture<CloseEvent> close() {
    handedOut = true;
    return close.copy();
  }

  /** After the open event's listeners. */
  void opened(WebSocket ws) {
    open.complete(ws);
  }

  /**
   * After the final close event's listeners: a socket that never opened
   * fails its open future with the last error, or the close code and reason.
   */
  void closed(CloseEvent c, String lastError) {
    if (!open.isDone()) {
      String why = lastError.isEmpty() ? "closed before open: " + c.code() + " " + c.reason() : lastError;
      open.completeExceptionally(
          new WebSocketException(PolywsNativeConstants.WS_OK, c.target().url() + ": " + why));
    }
    close.complete(c);
  }
}
