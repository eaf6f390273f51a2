using System;

namespace Polyws
{
    /// <summary>With <see cref="WebSocketSettings.Reconnect"/>: a new connection is starting;
    /// readyState is CONNECTING again. Not a browser event.</summary>
    public sealed class ReconnectEventArgs : EventArgs
    {
        internal ReconnectEventArgs(uint attempt) => Attempt = attempt;

        /// <summary>Which attempt this is, from 1.</summary>
        public uint Attempt { get; }
    }
}
