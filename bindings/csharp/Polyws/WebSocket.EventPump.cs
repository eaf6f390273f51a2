using System;
using System.Diagnostics;
using System.Threading;
using Polyws.Native;

namespace Polyws
{
    // The event pump: takes events from the socket's loop (ws_loop_next_event) on the
    // thread the delivery mode chooses, and runs them there or posts them to the
    // SynchronizationContext.
    public sealed partial class WebSocket
    {
        // How long one native wait lasts at most, so that Dispose() never waits
        // longer than this for a thread that is waiting for events.
        private const int WaitSliceMs = 50;

        private bool _freeLoopWhenPumpEnds;
        private int _handlerDepth; // > 0 while a handler run by Pump() is on the stack

        private Thread _thread;
        private volatile bool _finished; // the final close event has been taken

        // State as the host has seen it dispatched, for SynchronizationContext
        // delivery: events are taken (and the library's state moves) on the pump
        // thread before they run on the context.
        private volatile int _shadowState = (int)ReadyState.Connecting;

        private string _lastErrorEvent; // the last error event's text, for ConnectAsync's exception

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
                long waitStarted = 0; // Stopwatch ticks; a Stopwatch object would be one allocation per call
                while (count < maxEvents && _loop != IntPtr.Zero && !_disposed)
                {
                    int wait = 0;
                    if (count == 0 && timeoutMs != 0)
                    {
                        if (waitStarted == 0) waitStarted = Stopwatch.GetTimestamp();
                        long waitedMs = (Stopwatch.GetTimestamp() - waitStarted) * 1000 / Stopwatch.Frequency;
                        long left = timeoutMs < 0 ? WaitSliceMs : timeoutMs - waitedMs;
                        if (left <= 0) break;
                        wait = (int)Math.Min(left, WaitSliceMs);
                    }
                    ws_result r = TakeEvent(wait, out IntPtr ev);
                    if (r != ws_result.WS_OK) throw Errors.ToException(r, PolywsNative.ws_last_error(IntPtr.Zero), null);
                    if (ev == IntPtr.Zero)
                    {
                        if (count == 0 && wait > 0) continue; // keep waiting, one slice at a time
                        break;
                    }
                    PendingEvent e = PendingEvent.Take(this, ev);
                    count++;
                    // A message that will wait for its consumer (the context's thread, a
                    // ReceiveAsync) is counted until consumed; a full backlog pauses the socket.
                    if (e.Message != null && (post || _queue != null))
                    {
                        e.InBacklog = true;
                        _backlog.Taken(e.Message);
                    }
                    if (e.Type == ws_event_type_t.WS_EVENT_CLOSE && !e.Close.WillReconnect) _finished = true;
                    if (post)
                    {
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

        /// <summary>
        /// ws_loop_next_event, never at the same time as ws_resume (see SetEventsPaused).
        /// While the socket is paused nothing can come out, so the wait is spent here,
        /// where a resume wakes it, after one call that keeps a host-driven loop's I/O going.
        /// </summary>
        private ws_result TakeEvent(int wait, out IntPtr ev)
        {
            lock (_takeLock)
            {
                if (!_eventsPaused) return PolywsNative.ws_loop_next_event(_loop, wait, out ev);
                ws_result r = PolywsNative.ws_loop_next_event(_loop, 0, out ev);
                if (r == ws_result.WS_OK && ev == IntPtr.Zero && wait > 0) Monitor.Wait(_takeLock, wait);
                return r;
            }
        }

        private static readonly SendOrPostCallback RunPosted = state =>
        {
            var e = (PendingEvent)state;
            WebSocket ws = e.Socket;
            lock (ws._runLock)
            {
                if (ws._disposed) return;
                ws.Run(e);
            }
        };

        /// <summary>Raises one event. Caller holds _runLock and checked _disposed.</summary>
        private void Run(PendingEvent e)
        {
            switch (e.Type)
            {
                case ws_event_type_t.WS_EVENT_OPEN:
                    _protocol = e.Protocol ?? string.Empty;
                    _extensions = e.Extensions ?? string.Empty;
                    SetDispatchedState(ReadyState.Open);
                    Raise("open", OnOpen);
                    _opened.TrySetResult(true);
                    break;
                case ws_event_type_t.WS_EVENT_MESSAGE:
                    // A message taken before close() was called on the context thread
                    // is not delivered, as in a browser.
                    if (ReadyState != ReadyState.Open)
                    {
                        if (e.InBacklog) _backlog.Consumed(e.Message);
                        return;
                    }
                    _queue?.Enqueue(e.Message); // consumed when ReceiveAsync takes it
                    Raise("message", OnMessage, new MessageEventArgs(e.Message));
                    if (_queue == null && e.InBacklog) _backlog.Consumed(e.Message);
                    break;
                case ws_event_type_t.WS_EVENT_ERROR:
                    SetDispatchedState(ReadyState.Closed);
                    Raise("error", OnError, new WebSocketErrorEventArgs(e.Error ?? string.Empty));
                    break;
                case ws_event_type_t.WS_EVENT_CLOSE:
                    SetDispatchedState(ReadyState.Closed);
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
                    SetDispatchedState(ReadyState.Connecting);
                    Raise("reconnect", OnReconnect, new ReconnectEventArgs(e.Attempt));
                    break;
            }
            if (e.Type == ws_event_type_t.WS_EVENT_ERROR) _lastErrorEvent = e.Error;
        }

        private void SetDispatchedState(ReadyState state) => _shadowState = (int)state;
    }
}
