using System;
using System.Diagnostics;

namespace Polyws
{
    // The listener registry: the browser's events, and how a handler's exception is
    // reported without stopping dispatch.
    public sealed partial class WebSocket
    {
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
    }
}
