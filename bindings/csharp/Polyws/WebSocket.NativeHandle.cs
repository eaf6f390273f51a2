using System;
using Polyws.Native;

namespace Polyws
{
    // The native handle: the socket's own loop and ws_socket, the locks that guard
    // them, how they are created from the settings and how they are released.
    public sealed partial class WebSocket
    {
        // Lock order: _nativeLock -> _runLock -> the MessageQueue's -> the ReceiveBacklog's
        // -> _takeLock -> _handleLock. Dispose() takes _runLock and _handleLock, releases
        // them, then takes _nativeLock.
        private readonly object _nativeLock = new object(); // calls that take events from the loop; frees the loop
        private readonly object _runLock = new object();    // running a handler; Dispose() waits for it
        private readonly object _handleLock = new object(); // any call on _ws; freeing it

        private IntPtr _loop;
        private IntPtr _ws;
        private volatile bool _disposed;

        /// <summary>Creates the socket's loop and ws_socket from the settings (ws_new_ex).</summary>
        private void CreateNative(string url, string[] protocols, WebSocketSettings settings)
        {
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
        }

        /// <summary>Releases the native socket if Dispose() was never called (the connection,
        /// if open, is closed with 1001 going away).</summary>
        ~WebSocket()
        {
            // Unreachable, so no thread of this socket runs: free without locks.
            if (_ws != IntPtr.Zero) PolywsNative.ws_free(_ws);
            if (_loop != IntPtr.Zero) PolywsNative.ws_loop_free(_loop);
        }

        private void FreeLoop()
        {
            // Caller holds _nativeLock; the socket is already freed.
            if (_loop != IntPtr.Zero) PolywsNative.ws_loop_free(_loop);
            _loop = IntPtr.Zero;
            _freeLoopWhenPumpEnds = false;
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
