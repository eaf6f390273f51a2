using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Polyws.Native;

namespace Polyws
{
    /// <summary>
    /// A WebSocket client with the browser's semantics: the constructor's rules and
    /// exceptions, readyState, bufferedAmount, binaryType, and the open / message /
    /// error / close events in the browser's order.
    /// </summary>
    /// <remarks>
    /// <para><b>No native code ever calls managed code.</b> Events are pulled from the
    /// library (ws_loop_next_event) by managed code on a thread the host chooses
    /// (<see cref="EventDelivery"/>), copied into managed objects, and raised here.
    /// No delegate is handed to native code, so none can be collected while native
    /// code might call it, and nothing depends on IL2CPP's rules for callbacks.</para>
    /// <para>Each socket has its own event loop (one library I/O thread, or none with
    /// <see cref="WebSocketSettings.HostDriven"/>), so
    /// <see cref="DispatchEvents"/> runs exactly this socket's events.</para>
    /// <para>An exception thrown by a handler is caught, reported through
    /// <see cref="HandlerException"/> (or <see cref="Trace"/> when nobody listens),
    /// and the remaining handlers and events run as usual.</para>
    /// <para>The class is split by concept: this file holds the browser's attributes
    /// and methods; WebSocket.NativeHandle.cs the native loop and socket,
    /// WebSocket.Listeners.cs the events, WebSocket.EventPump.cs the thread that takes
    /// and runs events, WebSocket.Async.cs the async API,
    /// WebSocket.Backpressure.cs the receive limit and the bound on what managed code holds.</para>
    /// </remarks>
    public sealed partial class WebSocket : IDisposable
    {
        private readonly EventDelivery _delivery;
        private readonly SynchronizationContext _context;

        private string _protocol = string.Empty;
        private string _extensions = string.Empty;
        private BinaryType _binaryType = BinaryType.Blob;
        private ulong _bufferedAtDispose;

        private readonly MessageQueue _queue;
        private readonly TaskCompletionSource<bool> _opened =
            new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<CloseEventArgs> _closed =
            new TaskCompletionSource<CloseEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>new WebSocket(url, protocols), with events dispatched by <see cref="DispatchEvents"/>.</summary>
        /// <exception cref="ArgumentException">SyntaxError: the URL is not absolute, its scheme is not
        /// ws/wss/http/https, it has a fragment; a protocol is not a token or is repeated.</exception>
        public WebSocket(string url, params string[] protocols) : this(url, null, protocols)
        {
        }

        /// <summary>new WebSocket(url, protocols) with <paramref name="settings"/> (null: the defaults).</summary>
        /// <exception cref="ArgumentException">SyntaxError as above, or a setting the library refuses.</exception>
        /// <exception cref="InvalidOperationException">SynchronizationContext delivery without a current context.</exception>
        public WebSocket(string url, WebSocketSettings settings, params string[] protocols)
        {
            if (url == null) throw new ArgumentNullException(nameof(url));
            settings = settings?.Clone() ?? new WebSocketSettings();
            _delivery = settings.Delivery;
            HostDriven = settings.HostDriven;
            if (_delivery == EventDelivery.SynchronizationContext)
            {
                _context = SynchronizationContext.Current ?? throw new InvalidOperationException(
                    "EventDelivery.SynchronizationContext: there is no SynchronizationContext on this thread");
            }
            _backlog = new ReceiveBacklog(settings.ReceiveQueueCapacity,
                settings.ReceiveLimit ?? DefaultReceiveLimit, SetEventsPaused);
            if (settings.QueueMessages) _queue = new MessageQueue(_backlog);

            CreateNative(url, protocols, settings);
            Url = PolywsNative.ws_url(_ws);
            if (_delivery == EventDelivery.SynchronizationContext) StartThread();
        }

        // ---- attributes --------------------------------------------------------

        /// <summary>The serialized URL ("https://h/" reads back "wss://h/").</summary>
        public string Url { get; }

        /// <summary>readyState. CLOSED once disposed.</summary>
        public ReadyState ReadyState
        {
            get
            {
                // With SynchronizationContext delivery the library's state moves when the
                // binding's thread takes an event, before the event runs on the context:
                // the host sees what the events run so far (and its own close()) announced.
                if (_delivery == EventDelivery.SynchronizationContext)
                    return _disposed ? ReadyState.Closed : (ReadyState)_shadowState;
                lock (_handleLock)
                {
                    if (_ws == IntPtr.Zero) return ReadyState.Closed;
                    return (ReadyState)PolywsNative.ws_ready_state(_ws);
                }
            }
        }

        /// <summary>The subprotocol the server selected; "" until open is dispatched, or when none.</summary>
        public string Protocol => _protocol;

        /// <summary>The extensions the server accepted; "" until open is dispatched.</summary>
        public string Extensions => _extensions;

        /// <summary>binaryType: reported with each binary message (both give byte[] in .NET).</summary>
        public BinaryType BinaryType
        {
            get => _binaryType;
            set
            {
                if (value != BinaryType.Blob && value != BinaryType.ArrayBuffer)
                    throw new ArgumentOutOfRangeException(nameof(value));
                _binaryType = value;
                lock (_handleLock)
                {
                    if (_ws != IntPtr.Zero) PolywsNative.ws_set_binary_type(_ws, (ws_binary_type_t)value);
                }
            }
        }

        /// <summary>
        /// bufferedAmount: payload bytes accepted by Send and not yet handed to the network.
        /// Sends while CLOSING or CLOSED are discarded but still counted, as in a browser.
        /// </summary>
        public long BufferedAmount
        {
            get
            {
                lock (_handleLock)
                {
                    return (long)(_ws == IntPtr.Zero ? _bufferedAtDispose : PolywsNative.ws_buffered_amount(_ws));
                }
            }
        }

        /// <summary>Why the connection failed or the last call on it failed ("" if nothing did).</summary>
        public string LastError
        {
            get
            {
                lock (_handleLock)
                {
                    return _ws == IntPtr.Zero ? string.Empty : PolywsNative.ws_last_error(_ws);
                }
            }
        }

        /// <summary>A header of the server's handshake response (any case), or null; null before open.</summary>
        public string GetResponseHeader(string name)
        {
            if (name == null) throw new ArgumentNullException(nameof(name));
            lock (_handleLock)
            {
                return _ws == IntPtr.Zero ? null : PolywsNative.ws_response_header(_ws, name);
            }
        }

        /// <summary>How events are delivered (from the settings).</summary>
        public EventDelivery Delivery => _delivery;

        /// <summary>The socket's loop is host-driven (<see cref="WebSocketSettings.HostDriven"/>).</summary>
        public bool HostDriven { get; }

        /// <summary>Completes with the final close event (none after it; not a reconnecting one).</summary>
        public Task<CloseEventArgs> Closed => _closed.Task;

        /// <summary>The version of the native library loaded, "MAJOR.MINOR.PATCH".</summary>
        public static string NativeVersion => PolywsNative.ws_version();

        // ---- methods -------------------------------------------------------------

        /// <summary>
        /// Starts connecting a socket created with <see cref="EventDelivery.BackgroundThread"/>
        /// (subscribe to the events first). Other sockets connect when created.
        /// </summary>
        /// <exception cref="InvalidOperationException">Already connecting.</exception>
        public void Connect()
        {
            lock (_handleLock)
            {
                ThrowIfDisposed();
                ws_result r = PolywsNative.ws_connect(_ws);
                if (r != ws_result.WS_OK) throw Errors.ToException(r, PolywsNative.ws_last_error(_ws), null);
            }
            if (_delivery == EventDelivery.BackgroundThread) StartThread();
        }

        /// <summary>send(text). The string is encoded to UTF-8 once, into a pooled buffer.</summary>
        /// <exception cref="InvalidOperationException">InvalidStateError: readyState is CONNECTING.</exception>
        public void Send(string text)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            lock (_handleLock)
            {
                ThrowIfDisposed();
                Check(PolywsNative.ws_send_text(_ws, text), nameof(text));
            }
        }

        /// <summary>send(binary).</summary>
        /// <exception cref="InvalidOperationException">InvalidStateError: readyState is CONNECTING.</exception>
        public void Send(byte[] data)
        {
            if (data == null) throw new ArgumentNullException(nameof(data));
            Send(new ReadOnlySpan<byte>(data));
        }

        /// <summary>send(binary) from any memory; the bytes are copied once, by the library.</summary>
        /// <exception cref="InvalidOperationException">InvalidStateError: readyState is CONNECTING.</exception>
        public void Send(ReadOnlySpan<byte> data)
        {
            lock (_handleLock)
            {
                ThrowIfDisposed();
                Check(PolywsNative.ws_send_binary(_ws, data), nameof(data));
            }
        }

        /// <summary>send(text) from bytes that already are UTF-8 (no encoding pass).</summary>
        /// <exception cref="ArgumentException">The bytes are not valid UTF-8 (nothing is sent).</exception>
        public void SendText(ReadOnlySpan<byte> utf8)
        {
            lock (_handleLock)
            {
                ThrowIfDisposed();
                Check(PolywsNative.ws_send_text(_ws, utf8), nameof(utf8));
            }
        }

        /// <summary>close(): starts the closing handshake with an empty close frame (or fails a
        /// connection still connecting). Nothing happens when CLOSING or CLOSED.</summary>
        public void Close() => CloseCore(0, null);

        /// <summary>close(code, reason).</summary>
        /// <exception cref="ArgumentOutOfRangeException">InvalidAccessError: code is not 1000 or 3000-4999
        /// (checked first).</exception>
        /// <exception cref="ArgumentException">SyntaxError: reason longer than 123 bytes of UTF-8.</exception>
        public void Close(int code, string reason = null)
        {
            if (code != 1000 && (code < 3000 || code > 4999))
                throw new ArgumentOutOfRangeException(nameof(code), code,
                    "InvalidAccessError: the close code must be 1000 or 3000-4999");
            CloseCore((ushort)code, reason);
        }

        private void CloseCore(ushort code, string reason)
        {
            lock (_handleLock)
            {
                if (_ws == IntPtr.Zero) return;
                ws_result r = PolywsNative.ws_close(_ws, code, reason);
                if (r != ws_result.WS_OK)
                    throw Errors.ToException(r, PolywsNative.ws_last_error(_ws), r == ws_result.WS_ERR_INVALID_ACCESS ? "code" : nameof(reason));
            }
            // Messages are no longer delivered: hold nothing back, so that the library
            // reads on to the server's close frame.
            _backlog.Release();
            int s = _shadowState;
            if (s == (int)ReadyState.Connecting || s == (int)ReadyState.Open)
                Interlocked.CompareExchange(ref _shadowState, (int)ReadyState.Closing, s);
        }

        /// <summary>
        /// Releases the socket in any state: connecting, the connection is abandoned;
        /// open, the closing handshake starts with 1001 (going away). No handler of this
        /// socket starts after Dispose() returns; one running on another thread is waited for.
        /// Safe from inside a handler and more than once.
        /// </summary>
        public void Dispose()
        {
            lock (_runLock)
            {
                if (_disposed) return;
                _disposed = true;
                lock (_handleLock)
                {
                    _bufferedAtDispose = PolywsNative.ws_buffered_amount(_ws);
                    PolywsNative.ws_free(_ws);
                    _ws = IntPtr.Zero;
                }
            }
            if (Monitor.IsEntered(_nativeLock))
            {
                // Inside a handler that Pump() runs on this thread: it frees the
                // loop when the handler returns.
                _freeLoopWhenPumpEnds = true;
            }
            else
            {
                lock (_nativeLock) FreeLoop(); // waits WaitSliceMs at most for a pumping thread
            }
            _queue?.Complete();
            _opened.TrySetException(new ObjectDisposedException(nameof(WebSocket)));
            _closed.TrySetCanceled();
            GC.SuppressFinalize(this);
        }
    }
}
