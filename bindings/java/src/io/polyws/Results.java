package io.polyws;

import io.polyws.internal.PolywsNative;
import io.polyws.internal.PolywsNativeConstants;

/** The C API's ws_result codes as the Java exceptions a browser's errors map to. */
final class Results {
  private Results() {}

  /** Throws for a failure reported through ws_last_error(NULL) (options, loops). */
  static void check(int rc) {
    if (rc != 0) throw failure(rc, PolywsNative.ws_last_error(0));
  }

  static RuntimeException failure(int rc, String message) {
    switch (rc) {
      case PolywsNativeConstants.WS_ERR_SYNTAX:
        return new IllegalArgumentException("SyntaxError: " + message);
      case PolywsNativeConstants.WS_ERR_INVALID_STATE:
        return new IllegalStateException("InvalidStateError: " + message);
      case PolywsNativeConstants.WS_ERR_INVALID_ACCESS:
        return new IllegalArgumentException("InvalidAccessError: " + message);
      case PolywsNativeConstants.WS_ERR_INVALID_ARGUMENT:
      case PolywsNativeConstants.WS_ERR_INVALID_UTF8:
        return new IllegalArgumentException(message);
      default:
        return new WebSocketException(rc, PolywsNative.ws_result_str(rc) + ": " + message);
    }
  }
}
