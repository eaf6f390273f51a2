using System;

namespace Polyws
{
    /// <summary>
    /// An event handler threw. The exception was caught so that it cannot end the
    /// process or stop the dispatch of the events after it.
    /// </summary>
    public sealed class HandlerExceptionEventArgs : EventArgs
    {
        internal HandlerExceptionEventArgs(WebSocket socket, string eventName, Exception exception)
        {
            Socket = socket;
            EventName = eventName;
            Exception = exception;
        }

        /// <summary>The socket whose handler threw.</summary>
        public WebSocket Socket { get; }
        /// <summary>"open", "message", "error", "close" or "reconnect".</summary>
        public string EventName { get; }
        /// <summary>What the handler threw.</summary>
        public Exception Exception { get; }
    }
}
