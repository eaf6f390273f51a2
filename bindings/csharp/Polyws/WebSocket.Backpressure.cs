using System;
using System.Diagnostics;
using System.Threading;
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
        /// received for this socket and not yet handed to managed code, each message also counting
        /// a fixed cost for its bookkeeping (about 320 bytes). It stops reading the
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

        // Taken around ws_loop_next_event and ws_pause / ws_resume. The library can
        // reorder a socket's events when ws_resume runs while another thread is inside
        // ws_loop_next_event (the socket's flag is cleared before its held events are put
        // back, and the taking thread may hand out a newer event in between); with this
        // lock they never overlap. It is held only for short calls while the socket is
        // paused (TakeEvent), and a pause is only ever made by the pumping thread itself.
        private readonly object _takeLock = new object();
        private volatile bool _eventsPaused;

        /// <summary>ws_pause / ws_resume; nothing once disposed (ws_free dropped what was held).</summary>
        private void SetEventsPaused(bool paused)
        {
            lock (_takeLock)
            {
                lock (_handleLock)
                {
                    if (_ws == IntPtr.Zero) return;
                    ws_result r = paused ? PolywsNative.ws_pause(_ws) : PolywsNative.ws_resume(_ws);
                    // Fails only for a NULL socket, which _ws is not.
                    Debug.Assert(r == ws_result.WS_OK);
                }
                _eventsPaused = paused;
                Monitor.PulseAll(_takeLock); // a TakeEvent waiting out the pause
            }
        }
    }
}
