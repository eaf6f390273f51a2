using System;

namespace Polyws
{
    /// <summary>The message event: a text or binary message arrived.</summary>
    public sealed class MessageEventArgs : EventArgs
    {
        internal MessageEventArgs(WebSocketMessage message) => Message = message;

        /// <summary>The message.</summary>
        public WebSocketMessage Message { get; }
        /// <summary>Text or binary.</summary>
        public MessageType Type => Message.Type;
        /// <summary>The text of a text message; null for a binary one.</summary>
        public string Text => Message.Text;
        /// <summary>The bytes of a binary message (UTF-8 of a text one).</summary>
        public byte[] Data => Message.Data;
        /// <summary>binaryType when the message was dispatched.</summary>
        public BinaryType BinaryType => Message.BinaryType;
        /// <summary>True for a text message.</summary>
        public bool IsText => Message.IsText;
    }
}
