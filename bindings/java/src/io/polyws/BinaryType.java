package io.polyws;

/**
 * binaryType: the form binary messages take when they are dispatched (the
 * browser's "blob" and "arraybuffer").
 *
 * <ul>
 *   <li>{@link #BLOB} (the default, as in a browser): {@link MessageEvent#data()}
 *       is a {@code byte[]}, the event's own copy, an immutable lump of bytes in
 *       spirit.
 *   <li>{@link #ARRAYBUFFER}: {@code data()} is a {@link java.nio.ByteBuffer}
 *       (position 0, limit the size, big-endian), writable like an ArrayBuffer,
 *       for code that reads binary structures.
 * </ul>
 *
 * Either way the payload is copied once out of the native event; the choice
 * only changes the wrapper. {@link MessageEvent#bytes()} and
 * {@link MessageEvent#buffer()} give either form whatever the setting.
 */
public enum BinaryType {
  BLOB("blob"),
  ARRAYBUFFER("arraybuffer");

  private final String webName;

  BinaryType(String webName) {
    this.webName = webName;
  }

  /** "blob" or "arraybuffer", the browser's spelling. */
  public String webName() {
    return webName;
  }

  /** The value for "blob" or "arraybuffer". @throws IllegalArgumentException otherwise. */
  public static BinaryType fromWebName(String name) {
    for (BinaryType t : values())
      if (t.webName.equals(name)) return t;
    throw new IllegalArgumentException("binaryType must be \"blob\" or \"arraybuffer\": " + name);
  }
}
