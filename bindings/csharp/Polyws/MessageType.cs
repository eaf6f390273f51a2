namespace Polyws
{
    /// <summary>What kind of data frame carried a message.</summary>
    public enum MessageType
    {
        /// <summary>A text message (UTF-8 on the wire, a string here).</summary>
        Text,
        /// <summary>A binary message (bytes).</summary>
        Binary,
    }
}
