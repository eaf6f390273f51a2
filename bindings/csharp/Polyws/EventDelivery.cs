namespace Polyws
{
    /// <summary>
    /// Where a socket's events (OnOpen, OnMessage, OnError, OnClose, OnReconnect)
    /// run. In every mode events are pulled from the library by managed code
    /// (ws_loop_next_event): the library never calls into managed code, so no
    /// delegate is ever handed to native code.
    /// </summary>
    public enum EventDelivery
    {
        /// <summary>
        /// Events wait until the host calls <see cref="WebSocket.DispatchEvents"/>, and
        /// run on that thread: call it from a game loop's update (Unity's
        /// <c>Update()</c>, Godot's <c>_Process</c>). The default, as in a browser,
        /// where events run on the page's thread.
        /// </summary>
        Manual = 0,

        /// <summary>
        /// Events are posted to the <see cref="System.Threading.SynchronizationContext"/>
        /// current when the socket was created (a UI thread, an ASP.NET request, ...).
        /// A binding-owned thread takes them from the library and posts them.
        /// </summary>
        SynchronizationContext = 1,

        /// <summary>
        /// Events run on a binding-owned background thread, one at a time, in order.
        /// The socket is created without connecting: subscribe to the events, then
        /// call <see cref="WebSocket.Connect"/> (or use <see cref="WebSocket.ConnectAsync"/>).
        /// </summary>
        BackgroundThread = 2,
    }
}
