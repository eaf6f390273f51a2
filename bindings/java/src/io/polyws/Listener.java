package io.polyws;

/**
 * A WebSocket event listener, usable as a lambda. It runs where the socket's
 * {@link EventLoop} runs listeners (the shared dispatcher thread, a loop's own
 * thread, or the caller of {@link EventLoop#dispatch(long)}) or on the
 * socket's Executor; never on the library's I/O thread and never
 * concurrently with another listener of the same socket. An exception it
 * throws is reported to {@link WebSocket#setListenerErrorHandler} and
 * dispatch goes on.
 */
@FunctionalInterface
public interface Listener<E extends Event> {
  void handle(E event) throws Exception;
}
