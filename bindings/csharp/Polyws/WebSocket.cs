using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
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
    /// </remarks>
    public sealed class WebSocket : IDisposable
    {
        // How long one native wait lasts at most, so that Dispose() never waits
        // longer than this for a thread that is waiting for events.
        private const int WaitSliceMs = 50;

        // Lock order: _nativeLock -> _runLock -> _handleLock. Dispose() takes the
        // last two, releases them, then takes _nativeLock.
        private readonly object _nativeLock = new object(); // calls that take events from the loop; frees the loop
        private readonly object _runLock = new object();    // running a handler; Dispose() waits for it
        private readonly object _handleLock = new object(); // any call on _ws; freeing it

        private IntPtr _loop;
        private IntPtr _ws;
        private volatile bool _disposed;
        private bool _freeLoopWhenPumpEnds;
        private int _handlerDepth; // > 0 while a handler run by Pump() is on the stack

        private readonly EventDelivery _delivery;
        private readonly SynchronizationContext _context;
        private Thread _thread;
        private volatile bool _finished; // the final close event has been taken

        // State as the host has seen it dispatched, for SynchronizationContext
        // delivery: events are taken (and the library's state moves) on the pump
        // thread before they run on the context.
        private int _pendingStateEvents;
        private volatile int _shadowState = (int)ReadyState.Connecting;

        private string _protocol = string.Empty;
        private string _extensions = string.Empty;
        private BinaryType _binaryType = BinaryType.Blob;
        private ulong _bufferedAtDispose;

        private readonly MessageQueue _queue;
        private readonly TaskCompletionSource<bool> _opened =
            new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<CloseEventArgs> _closed =
            new TaskCompletionSource<CloseEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The connection is open (readyState OPEN; Protocol and Extensions are set).</summary>
        public event EventHandler OnOpen;
        /// <summary>A message arrived (only delivered while readyState is OPEN).</summary>
        public event EventHandler<MessageEventArgs> OnMessage;
        /// <summary>The connection failed; OnClose (code 1006) follows. Carries the cause.</summary>
        public event EventHandler<WebSocketErrorEventArgs> OnError;
        /// <summary>The connection is closed (readyState CLOSED).</summary>
        public event EventHandler<CloseEventArgs> OnClose;
        /// <summary>With <see cref="WebSocketSettings.Reconnect"/>: a new connection starts.</summary>
        public event EventHandler<ReconnectEventArgs> OnReconnect;

        /// <summary>
        /// A handler of any socket threw. The exception was caught; dispatch went on.
        /// When nothing is subscribed, the exception is written with <see cref="Trace.TraceError(string)"/>.
        /// </summary>
        public static event EventHandler<HandlerExceptionEventArgs> HandlerException;

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
            if (settings.QueueMessages) _queue = new MessageQueue();

            // Host-driven: no library I/O thread; the thread in Pump() does the I/O.
            ws_result r = PolywsNative.ws_loop_new(settings.HostDriven
                ? ws_delivery_t.WS_DELIVERY_HOST_DRIVEN : ws_delivery_t.WS_DELIVERY_DISPATCH, out _loop);
            if (r != ws_result.WS_OK)
                throw Errors.ToException(r, PolywsNative.ws_last_error(IntPtr.Zero), null);
            IntPtr options = IntPtr.Zero;
            try
            {
                r = PolywsNative.ws_options_new(out options);
                if (r != ws_result.WS_OK) throw Errors.ToException(r, null, null);
                // Background delivery connects on Connect(), once handlers are subscribed.
                settings.ApplyTo(options, _delivery == EventDelivery.BackgroundThread);
                r = PolywsNative.ws_new_ex(_loop, url, protocols ?? Array.Empty<string>(), options, out _ws);
                if (r != ws_result.WS_OK)
                {
                    string message = PolywsNative.ws_last_error(IntPtr.Zero);
                    bool aboutProtocols = message != null && message.IndexOf("protocol", StringComparison.OrdinalIgnoreCase) >= 0;
                    throw Errors.ToException(r, message, aboutProtocols ? nameof(protocols) : nameof(url));
                }
            }
            catch
            {
                PolywsNative.ws_loop_free(_loop);
                _loop = IntPtr.Zero;
                GC.SuppressFinalize(this);
                throw;
            }
            finally
            {
                PolywsNative.ws_options_free(options);
            }
            Url = PolywsNative.ws_url(_ws);
            if (_delivery == EventDelivery.SynchronizationContext) StartThread();
        }

        /// <summary>Releases the native socket if Dispose() was never called (the connection,
        /// if open, is closed with 1001 going away).</summary>
        ~WebSocket()
        {
            // Unreachable, so no thread of this socket runs: free without locks.
            if (_ws != IntPtr.Zero) PolywsNative.ws_free(_ws);
            if (_loop != IntPtr.Zero) PolywsNative.ws_loop_free(_loop);
        }

        // ---- attributes --------------------------------------------------------

        /// <summary>The serialized URL ("https://h/" reads back "wss://h/").</summary>
        public string Url { get; }

        /// <summary>readyState. CLOSED once disposed.</summary>
        public ReadyState ReadyState
        {
            get
            {
                if (Volatile.Read(ref _pendingStateEvents) > 0) return (ReadyState)_shadowState;
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
            int s = _shadowState;
            if (s == (int)ReadyState.Connecting || s == (int)ReadyState.Open)
                Interlocked.CompareExchange(ref _shadowState, (int)ReadyState.Closing, s);
        }

        /// <summary>
        /// Runs the events waiting for this socket on the calling thread (for
        /// <see cref="EventDelivery.Manual"/>: call it from a game loop's update).
        /// Waits up to <paramref name="timeoutMs"/> for the first event (0: do not
        /// wait; negative: until one arrives or the socket is disposed), then runs what
        /// is queued, at most <paramref name="maxEvents"/>.
        /// </summary>
        /// <returns>How many events ran.</returns>
        /// <exception cref="InvalidOperationException">Another delivery mode was chosen, or called
        /// from inside one of this socket's handlers.</exception>
        public int DispatchEvents(int timeoutMs = 0, int maxEvents = 1000)
        {
            if (_delivery != EventDelivery.Manual)
                throw new InvalidOperationException("DispatchEvents: events are delivered by " + _delivery);
            return Pump(timeoutMs, maxEvents, post: false);
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

        // ---- async convenience (for services) ----------------------------------------

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

        // ---- event pump -----------------------------------------------------------------

        private void StartThread()
        {
            if (_thread != null) return;
            _thread = new Thread(ThreadMain)
            {
                IsBackground = true,
                Name = "polyws events " + Url,
            };
            _thread.Start();
        }

        private void ThreadMain()
        {
            // Holds this socket reachable until its last event is taken or it is disposed.
            bool post = _delivery == EventDelivery.SynchronizationContext;
            while (!_disposed && !_finished)
            {
                try
                {
                    Pump(WaitSliceMs, 1000, post);
                }
                catch (Exception ex)
                {
                    Trace.TraceError("polyws: event thread: " + ex);
                    return;
                }
            }
        }

        /// <summary>Takes events from the loop; runs them here, or posts them to the context.</summary>
        private int Pump(int timeoutMs, int maxEvents, bool post)
        {
            int count = 0;
            lock (_nativeLock)
            {
                if (_handlerDepth > 0)
                    throw new InvalidOperationException("DispatchEvents: called from inside one of this socket's handlers");
                Stopwatch waited = null;
                while (count < maxEvents && _loop != IntPtr.Zero && !_disposed)
                {
                    int wait = 0;
                    if (count == 0 && timeoutMs != 0)
                    {
                        if (waited == null) waited = Stopwatch.StartNew();
                        long left = timeoutMs < 0 ? WaitSliceMs : timeoutMs - waited.ElapsedMilliseconds;
                        if (left <= 0) break;
                        wait = (int)Math.Min(left, WaitSliceMs);
                    }
                    ws_result r = PolywsNative.ws_loop_next_event(_loop, wait, out IntPtr ev);
                    if (r != ws_result.WS_OK) throw Errors.ToException(r, PolywsNative.ws_last_error(IntPtr.Zero), null);
                    if (ev == IntPtr.Zero)
                    {
                        if (count == 0 && wait > 0) continue; // keep waiting, one slice at a time
                        break;
                    }
                    PendingEvent e = Take(ev);
                    count++;
                    if (e.Type == ws_event_type_t.WS_EVENT_CLOSE && !e.Close.WillReconnect) _finished = true;
                    if (post)
                    {
                        if (e.ChangesState) Interlocked.Increment(ref _pendingStateEvents);
                        _context.Post(RunPosted, e);
                    }
                    else
                    {
                        lock (_runLock)
                        {
                            if (_disposed) break;
                            _handlerDepth++;
                            try
                            {
                                Run(e);
                            }
                            finally
                            {
                                _handlerDepth--;
                            }
                        }
                        if (_freeLoopWhenPumpEnds) break;
                    }
                }
                if (_freeLoopWhenPumpEnds) FreeLoop();
            }
            return count;
        }

        private void FreeLoop()
        {
            // Caller holds _nativeLock; the socket is already freed.
            if (_loop != IntPtr.Zero) PolywsNative.ws_loop_free(_loop);
            _loop = IntPtr.Zero;
            _freeLoopWhenPumpEnds = false;
        }

        private sealed class PendingEvent
        {
            public WebSocket Socket;
            public ws_event_type_t Type;
            public WebSocketMessage Message;
            public CloseEventArgs Close;
            public string Error;
            public string Protocol;
            public string Extensions;
            public uint Attempt;
            public bool ChangesState => Type != ws_event_type_t.WS_EVENT_MESSAGE;
        }

        /// <summary>Copies the event out of the loop's buffer (valid until the next take).</summary>
        private PendingEvent Take(IntPtr ev)
        {
            var e = new PendingEvent { Socket = this, Type = PolywsNative.ws_event_type(ev) };
            switch (e.Type)
            {
                case ws_event_type_t.WS_EVENT_OPEN:
                    e.Protocol = PolywsNative.ws_event_protocol(ev);
                    e.Extensions = PolywsNative.ws_event_extensions(ev);
                    break;
                case ws_event_type_t.WS_EVENT_MESSAGE:
                {
                    ReadOnlySpan<byte> payload = PolywsNative.ws_event_data(ev);
                    var binaryType = (BinaryType)PolywsNative.ws_event_binary_type(ev);
                    e.Message = PolywsNative.ws_event_is_binary(ev)
                        ? new WebSocketMessage(MessageType.Binary, null, payload.ToArray(), binaryType)
                        : new WebSocketMessage(MessageType.Text, Utf8.Decode(payload), null, binaryType);
                    break;
                }
                case ws_event_type_t.WS_EVENT_ERROR:
                    e.Error = PolywsNative.ws_event_error_message(ev);
                    break;
                case ws_event_type_t.WS_EVENT_CLOSE:
                    e.Close = new CloseEventArgs(PolywsNative.ws_event_code(ev), PolywsNative.ws_event_reason(ev),
                        PolywsNative.ws_event_was_clean(ev), PolywsNative.ws_event_will_reconnect(ev),
                        PolywsNative.ws_event_unsent_messages(ev), PolywsNative.ws_event_unsent_bytes(ev));
                    break;
                case ws_event_type_t.WS_EVENT_RECONNECT:
                    e.Attempt = PolywsNative.ws_event_reconnect_attempt(ev);
                    break;
            }
            return e;
        }

        private static readonly SendOrPostCallback RunPosted = state =>
        {
            var e = (PendingEvent)state;
            WebSocket ws = e.Socket;
            lock (ws._runLock)
            {
                if (ws._disposed)
                {
                    if (e.ChangesState) Interlocked.Decrement(ref ws._pendingStateEvents);
                    return;
                }
                ws.Run(e);
            }
        };

        /// <summary>Raises one event. Caller holds _runLock and checked _disposed.</summary>
        private void Run(PendingEvent e)
        {
            bool posted = _delivery == EventDelivery.SynchronizationContext;
            switch (e.Type)
            {
                case ws_event_type_t.WS_EVENT_OPEN:
                    _protocol = e.Protocol ?? string.Empty;
                    _extensions = e.Extensions ?? string.Empty;
                    SetDispatchedState(ReadyState.Open, posted);
                    Raise("open", OnOpen);
                    _opened.TrySetResult(true);
                    break;
                case ws_event_type_t.WS_EVENT_MESSAGE:
                    // A message taken before close() was called on the context thread
                    // is not delivered, as in a browser.
                    if (ReadyState != ReadyState.Open) return;
                    _queue?.Enqueue(e.Message);
                    Raise("message", OnMessage, new MessageEventArgs(e.Message));
                    break;
                case ws_event_type_t.WS_EVENT_ERROR:
                    SetDispatchedState(ReadyState.Closed, posted);
                    Raise("error", OnError, new WebSocketErrorEventArgs(e.Error ?? string.Empty));
                    break;
                case ws_event_type_t.WS_EVENT_CLOSE:
                    SetDispatchedState(ReadyState.Closed, posted);
                    Raise("close", OnClose, e.Close);
                    if (!e.Close.WillReconnect)
                    {
                        _queue?.Complete();
                        _opened.TrySetException(new System.Net.WebSockets.WebSocketException(
                            System.Net.WebSockets.WebSocketError.Faulted,
                            $"closed before opening: code {e.Close.Code}" +
                            (string.IsNullOrEmpty(e.Close.Reason) ? "" : $" \"{e.Close.Reason}\"") +
                            (string.IsNullOrEmpty(_lastErrorEvent) ? "" : ": " + _lastErrorEvent)));
                        _closed.TrySetResult(e.Close);
                    }
                    break;
                case ws_event_type_t.WS_EVENT_RECONNECT:
                    _protocol = string.Empty;
                    _extensions = string.Empty;
                    SetDispatchedState(ReadyState.Connecting, posted);
                    Raise("reconnect", OnReconnect, new ReconnectEventArgs(e.Attempt));
                    break;
            }
            if (e.Type == ws_event_type_t.WS_EVENT_ERROR) _lastErrorEvent = e.Error;
        }

        private string _lastErrorEvent;

        private void SetDispatchedState(ReadyState state, bool posted)
        {
            _shadowState = (int)state;
            if (posted) Interlocked.Decrement(ref _pendingStateEvents);
        }

        private void Raise(string name, EventHandler handlers)
        {
            if (handlers == null) return;
            foreach (Delegate d in handlers.GetInvocationList())
            {
                try
                {
                    ((EventHandler)d)(this, EventArgs.Empty);
                }
                catch (Exception ex)
                {
                    ReportHandlerException(name, ex);
                }
            }
        }

        private void Raise<T>(string name, EventHandler<T> handlers, T args)
        {
            if (handlers == null) return;
            foreach (Delegate d in handlers.GetInvocationList())
            {
                try
                {
                    ((EventHandler<T>)d)(this, args);
                }
                catch (Exception ex)
                {
                    ReportHandlerException(name, ex);
                }
            }
        }

        private void ReportHandlerException(string name, Exception ex)
        {
            EventHandler<HandlerExceptionEventArgs> report = HandlerException;
            if (report != null)
            {
                try
                {
                    report(this, new HandlerExceptionEventArgs(this, name, ex));
                    return;
                }
                catch (Exception reportFailure)
                {
                    Trace.TraceError("polyws: the HandlerException handler threw: " + reportFailure);
                }
            }
            Trace.TraceError($"polyws: an on{name} handler threw (dispatch goes on): {ex}");
        }

        private void ThrowIfDisposed()
        {
            if (_ws == IntPtr.Zero) throw new ObjectDisposedException(nameof(WebSocket));
        }

        private void Check(ws_result r, string paramName)
        {
            // WS_ERR_BUFFER_FULL: the library has failed the connection (error, then
            // close 1006 follow), which is all a browser does; nothing is thrown.
            if (r == ws_result.WS_OK || r == ws_result.WS_ERR_BUFFER_FULL) return;
            throw Errors.ToException(r, PolywsNative.ws_last_error(_ws), paramName);
        }
    }
}
