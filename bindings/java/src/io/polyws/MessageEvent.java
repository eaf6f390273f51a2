package io.polyws;

import java.nio.charset.StandardCharsets;

/** A message: text (a String) or binary (a byte[]). */
public final class MessageEvent extends Event {
  private final byte[] bytes;
  private final boolean binary;
  private String text;

  MessageEvent(WebSocket target, byte[] bytes, boolean binary) {
    super(EventType.MESSAGE, target);
    this.bytes = bytes;
    this.binary = binary;
  }

  /** True for a binary message, false for text. */
  public boolean isBinary() {
    return binary;
  }

  /** The text of a text message (for a binary one, its bytes read as UTF-8). */
  public String text() {
    if (text == null) text = new String(bytes, StandardCharsets.UTF_8);
    return text;
  }

  /** The payload bytes (UTF-8 for text). The array is this event's own. */
  public byte[] bytes() {
    return bytes;
  }

  /** The browser's {@code data}: a String for text, a byte[] for binary. */
  public Object data() {
    return binary ? bytes : text();
  }

  @Override
  public String toString() {
    return "message event (" + (binary ? "binary, " + bytes.length + " bytes" : "text") + ")";
  }
}
