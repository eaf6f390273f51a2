using System;
using System.Text;

namespace Polyws
{
    /// <summary>
    /// One message received. Its payload was copied out of the library's buffer
    /// exactly once: into <see cref="Data"/> for a binary message, decoded into
    /// <see cref="Text"/> for a text message.
    /// </summary>
    public sealed class WebSocketMessage
    {
        private byte[] _data;

        internal WebSocketMessage(MessageType type, string text, byte[] data, BinaryType binaryType, int payloadSize)
        {
            Type = type;
            PayloadSize = payloadSize;
            Text = text;
            _data = data;
            BinaryType = binaryType;
        }

        /// <summary>Text or binary.</summary>
        public MessageType Type { get; }

        /// <summary>The text of a text message; null for a binary message.</summary>
        public string Text { get; }

        /// <summary>
        /// The bytes of a binary message. For a text message, its UTF-8 bytes (encoded
        /// on first use).
        /// </summary>
        public byte[] Data => _data ?? (_data = Text == null ? Array.Empty<byte>() : Encoding.UTF8.GetBytes(Text));

        /// <summary>The socket's binaryType when the message was dispatched.</summary>
        public BinaryType BinaryType { get; }

        /// <summary>The payload's size as received, in bytes (UTF-8 for text).</summary>
        internal int PayloadSize { get; }

        /// <summary>True for a text message.</summary>
        public bool IsText => Type == MessageType.Text;

        /// <inheritdoc />
        public override string ToString() =>
            IsText ? $"text ({Text.Length} chars)" : $"binary ({Data.Length} bytes)";
    }
}
