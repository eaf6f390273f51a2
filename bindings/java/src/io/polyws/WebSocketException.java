package io.polyws;

/** A polyws failure that is neither a SyntaxError nor an InvalidStateError. */
public class WebSocketException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int result;

  WebSocketException(int result, String message) {
    super(message);
    this.result = result;
  }

  /** The C API's ws_result code. */
  public int result() {
    return result;
  }
}
