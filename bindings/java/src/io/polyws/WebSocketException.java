package io.polyws;

/** A polyws failure that is neither a SyntaxError nor an InvalidStateError. */
public class WebSocketException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int result;

  WebSocketException(int result, String message) {
    super(message);
    this.result = result;
  }

  /**
   * The C API's ws_result code of the call that failed; 0 (WS_OK) when no
   * call failed but the connection did (an open future completed
   * exceptionally: the message says why).
   */
  public int result() {
    return result;
  }
}
