using System;
using System.Diagnostics;
using Polyws.Native;

namespace Polyws
{
    // Receive backpressure: the library's receive limit (WebSocketSettings.ReceiveLimit)
    // bounds what it holds; the ReceiveBacklog bounds what managed code holds, by
    // pausing the socket's events in the library while the consumer is behind.
    public sealed partial class WebSocket
    {
        /// <summary>The library's default <see cref="WebSocketSettings.ReceiveLimit"/>: 8 MiB.</summary>
        public const ulong DefaultReceiveLimit = PolywsNative.WS_DEFAULT_RECEIVE_LIMIT;

        private readonly ReceiveBacklog _backlog;

        /// <summary>
        /// The receive side's <see cref="BufferedAmount"/>: bytes of messages the library has
        /// received for this socket and not yet handed to managed code. It stops reading the
        /// socket while this is at <see cref="WebSocketSettings.ReceiveLimit"/> or more. 0 once disposed.
        /// </summary>
        public long UndeliveredAmount
        {
            get
            {
                lock (_handleLock)
                {
                    return _ws == IntPtr.Zero ? 0 : (long)PolywsNative.ws_undelivered_amount(_ws);
                }
            }
        }

        /// <summary>Messages waiting in the ReceiveAsync queue (0 without one).</summary>
        internal int QueuedMessages => _queue?.Count ?? 0;

        /// <summary>The managed side's backlog (for tests).</summary>
        internal ReceiveBacklog Backlog => _backlog;

        /// <summary>ws_pause / ws_resume; nothing once disposed (ws_free dropped what was held).</summary>
        private void SetEventsPaused(bool paused)
        {
            lock (_handleLock)
            {
                if (_ws == IntPtr.Zero) return;
                ws_result r = paused ? PolywsNative.ws_pause(_ws) : PolywsNative.ws_resume(_ws);
                // Fails only for a NULL socket, which _ws is not.
                Debug.Assert(r == ws_result.WS_OK);
            }
        }
    }
}
