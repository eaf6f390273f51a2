using System;

namespace Polyws
{
    /// <summary>
    /// Automatic reconnect (off unless set): when a connection ends without this side
    /// asking, a new one starts after a delay that doubles from <see cref="InitialDelay"/>
    /// up to <see cref="MaxDelay"/>. Close() or Dispose() stop it.
    /// </summary>
    public sealed class ReconnectSettings
    {
        /// <summary>The first delay (default 1 s). Must be positive.</summary>
        public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);
        /// <summary>The longest delay (default 30 s).</summary>
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>Attempts before giving up; 0 (default) for no limit.</summary>
        public uint MaxAttempts { get; set; }
    }
}
