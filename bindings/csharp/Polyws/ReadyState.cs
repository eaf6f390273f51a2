namespace Polyws
{
    /// <summary>The browser's readyState values.</summary>
    public enum ReadyState
    {
        /// <summary>The connection is not yet open (also again while reconnecting).</summary>
        Connecting = 0,
        /// <summary>Open: messages can be sent.</summary>
        Open = 1,
        /// <summary>The closing handshake has started.</summary>
        Closing = 2,
        /// <summary>Closed, or could not be opened.</summary>
        Closed = 3,
    }
}
