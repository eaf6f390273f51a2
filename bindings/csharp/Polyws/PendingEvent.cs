using System;
using Polyws.Native;

namespace Polyws
{
    /// <summary>
    /// One event of a socket, copied out of the loop's buffer (which is valid only
    /// until the next ws_loop_next_event) so that it can be run later or on another
    /// thread.
    /// </summary>
    internal sealed class PendingEvent
    {
        public WebSocket Socket;
        public ws_event_type_t Type;
        public WebSocketMessage Message;
        public CloseEventArgs Close;
        public string Error;
        public string Protocol;
        public string Extensions;
        public uint Attempt;
        public bool InBacklog; // a message counted by the socket's ReceiveBacklog until consumed

        /// <summary>Copies the event <paramref name="ev"/> of <paramref name="socket"/>.</summary>
        public static PendingEvent Take(WebSocket socket, IntPtr ev)
        {
            var e = new PendingEvent { Socket = socket, Type = PolywsNative.ws_event_type(ev) };
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
                        ? new WebSocketMessage(MessageType.Binary, null, payload.ToArray(), binaryType, payload.Length)
                        : new WebSocketMessage(MessageType.Text, Utf8.Decode(payload), null, binaryType, payload.Length);
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
    }
}
