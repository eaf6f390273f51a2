using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace Polyws
{
    // The async API for services: ConnectAsync, ReceiveAsync / ReceiveAllAsync (over
    // the MessageQueue, bounded by the ReceiveBacklog), SendAsync, CloseAsync.
    public sealed partial class WebSocket
    {
        /// <summary>
        /// Creates a socket whose events run on a background thread (or on the current
        /// SynchronizationContext if <paramref name="settings"/> asks for it), queues its
        /// messages for <see cref="ReceiveAsync"/>, and completes once it is open.
        /// </summary>
        /// <exception cref="ArgumentException">SyntaxError (URL or protocols) or a refused setting.</exception>
        /// <exception cref="System.Net.WebSockets.WebSocketException">The connection failed or closed before opening
        /// (the message gives the cause).</exception>
        /// <exception cref="OperationCanceledException">Cancelled; the socket is disposed.</exception>
        public static async Task<WebSocket> ConnectAsync(string url, string[] protocols = null,
            WebSocketSettings settings = null, CancellationToken cancellationToken = default)
        {
            var s = settings?.Clone() ?? new WebSocketSettings();
            if (s.Delivery == EventDelivery.Manual) s.Delivery = EventDelivery.BackgroundThread;
            s.QueueMessages = true;
            var ws = new WebSocket(url, s, protocols ?? Array.Empty<string>());
            try
            {
                if (s.Delivery == EventDelivery.BackgroundThread) ws.Connect();
                using (cancellationToken.Register(() => ws._opened.TrySetCanceled(cancellationToken)))
                {
                    await ws._opened.Task.ConfigureAwait(false);
                }
                return ws;
            }
            catch
            {
                ws.Dispose();
                throw;
            }
        }

        /// <summary>
        /// The next message received, or null once the connection has closed and every
        /// message before the close was read. Needs <see cref="WebSocketSettings.QueueMessages"/>
        /// (set by ConnectAsync).
        /// </summary>
        /// <remarks>
        /// The socket is read only as fast as messages are taken: at most
        /// <see cref="WebSocketSettings.ReceiveQueueCapacity"/> messages (and
        /// <see cref="WebSocketSettings.ReceiveLimit"/> bytes) wait here; past that the
        /// socket's events are paused in the library, which stops reading the socket at its
        /// receive limit, and the server's writes block. Events behind the held messages
        /// (the close, OnMessage handlers) wait with them. <see cref="Close()"/> stops holding
        /// back: messages are no longer delivered after it, and the closing handshake is read.
        /// </remarks>
        public Task<WebSocketMessage> ReceiveAsync(CancellationToken cancellationToken = default)
        {
            if (_queue == null)
                throw new InvalidOperationException("ReceiveAsync needs WebSocketSettings.QueueMessages (ConnectAsync sets it)");
            return _queue.DequeueAsync(cancellationToken);
        }

        /// <summary>Every message until the connection closes (see <see cref="ReceiveAsync"/>).</summary>
        public async IAsyncEnumerable<WebSocketMessage> ReceiveAllAsync(
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            while (true)
            {
                WebSocketMessage m = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
                if (m == null) yield break;
                yield return m;
            }
        }

        /// <summary>Sends text and completes at once (the library queues it; see BufferedAmount).</summary>
        public Task SendAsync(string text)
        {
            Send(text);
            return Task.CompletedTask;
        }

        /// <summary>close(code, reason), then waits for the close event.</summary>
        public async Task<CloseEventArgs> CloseAsync(int code = 1000, string reason = null,
            CancellationToken cancellationToken = default)
        {
            Close(code, reason);
            var cancelled = new TaskCompletionSource<CloseEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(() => cancelled.TrySetCanceled(cancellationToken)))
            {
                Task<CloseEventArgs> done = await Task.WhenAny(_closed.Task, cancelled.Task).ConfigureAwait(false);
                return await done.ConfigureAwait(false);
            }
        }
    }
}
