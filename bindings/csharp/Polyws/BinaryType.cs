namespace Polyws
{
    /// <summary>
    /// The browser's binaryType. .NET has one natural type for bytes, so a binary
    /// message is a <c>byte[]</c> either way; <see cref="WebSocketMessage.BinaryType"/>
    /// reports which was selected when the message was dispatched, for code ported
    /// from a page that branches on it.
    /// </summary>
    public enum BinaryType
    {
        /// <summary>"blob", the browser's default.</summary>
        Blob = 0,
        /// <summary>"arraybuffer".</summary>
        ArrayBuffer = 1,
    }
}
