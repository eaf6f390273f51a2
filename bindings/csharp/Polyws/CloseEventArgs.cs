using System;

namespace Polyws
{
    /// <summary>The close event: the connection is closed (readyState CLOSED).</summary>
    public sealed class CloseEventArgs : EventArgs
    {
        internal CloseEventArgs(ushort code, string reason, bool wasClean, bool willReconnect,
                                ulong unsentMessages, ulong unsentBytes)
        {
            Code = code;
            Reason = reason;
            WasClean = wasClean;
            WillReconnect = willReconnect;
            UnsentMessages = unsentMessages;
            UnsentBytes = unsentBytes;
        }

        /// <summary>The close code: 1005 when the close frame had none, 1006 when there was no
        /// closing handshake (the connection failed or dropped).</summary>
        public ushort Code { get; }
        /// <summary>The close reason ("" when none).</summary>
        public string Reason { get; }
        /// <summary>wasClean: the closing handshake completed.</summary>
        public bool WasClean { get; }
        /// <summary>With <see cref="WebSocketSettings.Reconnect"/>: a new connection will be
        /// attempted (an OnReconnect event follows). Never true after Close().</summary>
        public bool WillReconnect { get; }
        /// <summary>Messages accepted by Send on this connection that were never (fully) sent.</summary>
        public ulong UnsentMessages { get; }
        /// <summary>Their bytes not sent.</summary>
        public ulong UnsentBytes { get; }

        /// <inheritdoc />
        public override string ToString() => $"close {Code} \"{Reason}\" wasClean={WasClean}";
    }
}
