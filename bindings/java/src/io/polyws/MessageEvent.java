package io.polyws;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A message: text (a String) or binary (a byte[] or a ByteBuffer, by binaryType). */
public final class MessageEvent extends Event {
  private final byte[] bytes;
  private final boolean binary;
  BinaryType binaryType; // set when dispatched
  private String text;

  MessageEvent(WebSocket target, byte[] bytes, boolean binary, BinaryType binaryType) {
    super(EventType.MESSAGE, target);
    this.bytes = bytes;
    this.binary = binary;
    this.binaryType = binaryType == null ? BinaryType.BLOB : binaryType;
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

  /** The payload as a ByteBuffer over {@link #bytes()} (a new view each call). */
  public ByteBuffer buffer() {
    return ByteBuffer.wrap(bytes);
  }

  /** The socket's binaryType when this event was dispatched. */
  public BinaryType binaryType() {
    return binaryType;
  }

  /**
   * The browser's {@code data}: a String for text; for binary a byte[]
   * (binaryType BLOB) or a ByteBuffer (ARRAYBUFFER).
   */
  public Object data() {
    if (!binary) return text();
    return binaryType == BinaryType.ARRAYBUFFER ? buffer() : bytes;
  }

  @Override
  public String toString() {
    return "message event (" + (binary ? "binary, " + bytes.length + " bytes" : "text") + ")";
  }
}
