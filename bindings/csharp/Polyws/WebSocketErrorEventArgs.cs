using System;

namespace Polyws
{
    /// <summary>
    /// The error event: the connection failed (a close event with code 1006 follows).
    /// Unlike a browser, the cause is given.
    /// </summary>
    public sealed class WebSocketErrorEventArgs : EventArgs
    {
        internal WebSocketErrorEventArgs(string message) => Message = message;

        /// <summary>Why the connection failed, readable (e.g. "connection refused", or the
        /// TLS verification reason).</summary>
        public string Message { get; }

        /// <inheritdoc />
        public override string ToString() => Message;
    }
}
