package io.polyws;

/**
 * A WebSocket event listener, usable as a lambda. It runs on the socket's
 * dispatcher thread (or its Executor), never on the I/O thread and never
 * concurrently with another listener of the same socket. An exception it
 * throws is reported to {@link WebSocket#setListenerErrorHandler} and
 * dispatch goes on.
 */
@FunctionalInterface
public interface Listener<E extends Event> {
  void handle(E event) throws Exception;
}
