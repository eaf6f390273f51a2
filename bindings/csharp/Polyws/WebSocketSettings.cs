using System;
using System.Collections.Generic;
using Polyws.Native;

namespace Polyws
{
    /// <summary>
    /// Connection settings: everything the library offers beyond the browser's
    /// constructor (ws_options in the C API). Unset values keep the library's
    /// defaults. Read when the socket is created; later changes do not affect it.
    /// </summary>
    public sealed class WebSocketSettings
    {
        /// <summary>Where events run (default <see cref="EventDelivery.Manual"/>).</summary>
        public EventDelivery Delivery { get; set; } = EventDelivery.Manual;

        /// <summary>Also queue received messages for <see cref="WebSocket.ReceiveAsync"/> and
        /// <see cref="WebSocket.ReceiveAllAsync"/> (ConnectAsync turns it on). The socket is
        /// then read only as fast as ReceiveAsync takes messages (see <see cref="ReceiveQueueCapacity"/>).</summary>
        public bool QueueMessages { get; set; }

        /// <summary>
        /// The most received messages held in managed memory and not yet consumed: waiting
        /// for <see cref="WebSocket.ReceiveAsync"/>, or posted to the SynchronizationContext
        /// and not yet run (default 256, at least 1). Past it, or past
        /// <see cref="ReceiveLimit"/> bytes, the socket's events are paused in the library,
        /// which stops reading the socket once it holds ReceiveLimit bytes itself; they
        /// flow again when the consumer is down to half. Handlers run on the dispatching
        /// thread are not queued and need no bound.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
        public int ReceiveQueueCapacity
        {
            get => _receiveQueueCapacity;
            set
            {
                if (value < 1)
                    throw new ArgumentOutOfRangeException(nameof(ReceiveQueueCapacity), value, "must be at least 1 message");
                _receiveQueueCapacity = value;
            }
        }
        private int _receiveQueueCapacity = 256;

        /// <summary>
        /// Give the socket a host-driven loop (WS_DELIVERY_HOST_DRIVEN) instead of a
        /// library I/O thread (default false). The thread that takes the events does
        /// the socket's I/O itself: <see cref="WebSocket.DispatchEvents"/> with
        /// <see cref="EventDelivery.Manual"/>, the binding's delivery thread with
        /// <see cref="EventDelivery.BackgroundThread"/> and
        /// <see cref="EventDelivery.SynchronizationContext"/> (its wait for events is
        /// spent reading the network), and so with ConnectAsync / ReceiveAsync too.
        /// </summary>
        /// <remarks>
        /// <para>Faster when one thread both sends and receives, as in a request/response
        /// conversation run from the handlers or a game loop: a send made on the
        /// dispatching thread (or while no thread dispatches) is written to the network
        /// within the Send call, and a received message is read by the thread that
        /// handles it, so no message crosses between threads (in the round-trip
        /// benchmark about 1.5x the default, the C client's own host-driven rate). A Send from another thread while
        /// the delivery thread waits is handed to it and wakes it, as with the default.</para>
        /// <para>The trade-off, with <see cref="EventDelivery.Manual"/>: nothing moves
        /// between DispatchEvents() calls. The connection is opened, messages are read,
        /// pings are answered and sent, the closing handshake and the timeouts run only
        /// while a DispatchEvents() call is under way, so call it often (every frame,
        /// with timeout 0, is enough; a game that stops calling it for longer than the
        /// server's ping timeout can be disconnected). Sends are still written at once.
        /// With the delivery-thread modes that thread is always waiting in the library,
        /// so nothing changes for the host except speed.</para>
        /// </remarks>
        public bool HostDriven { get; set; }

        // ---- TLS (wss://): verification is always on unless InsecureSkipTlsVerify.

        /// <summary>Trust the CAs in this PEM file instead of the system store.</summary>
        public string CaFile { get; set; }
        /// <summary>Trust the CAs in this PEM text instead of the system store (combines with CaFile).</summary>
        public string CaPem { get; set; }
        /// <summary>Client certificate chain (PEM file) for mutual TLS; with <see cref="ClientKeyFile"/>.</summary>
        public string ClientCertificateFile { get; set; }
        /// <summary>The client certificate's key (PEM file, not encrypted).</summary>
        public string ClientKeyFile { get; set; }
        /// <summary>Name sent as SNI and checked against the certificate instead of the URL's host.</summary>
        public string TlsServerName { get; set; }
        /// <summary>INSECURE: accept any server certificate. For tests against throwaway servers only.</summary>
        public bool InsecureSkipTlsVerify { get; set; }

        // ---- handshake request

        /// <summary>Extra handshake request headers (Authorization, Cookie, Origin, ...), in order.
        /// Protocol-owned names and values with CR, LF or NUL are refused when the socket is created.</summary>
        public IList<KeyValuePair<string, string>> Headers => _headers;
        private List<KeyValuePair<string, string>> _headers = new List<KeyValuePair<string, string>>();
        /// <summary>Adds a handshake request header; returns this for chaining.</summary>
        public WebSocketSettings AddHeader(string name, string value)
        {
            Headers.Add(new KeyValuePair<string, string>(name, value));
            return this;
        }
        /// <summary>The User-Agent (default "polyws/VERSION").</summary>
        public string UserAgent { get; set; }

        // ---- proxy

        /// <summary>HTTP CONNECT proxy: "http://[user:password@]host[:port]".</summary>
        public string Proxy { get; set; }
        /// <summary>Use http_proxy / https_proxy / no_proxy when <see cref="Proxy"/> is not set.</summary>
        public bool ProxyFromEnvironment { get; set; }

        // ---- permessage-deflate (RFC 7692)

        /// <summary>Offer permessage-deflate (default false).</summary>
        public bool PerMessageDeflate { get; set; }
        /// <summary>client_max_window_bits to offer, 9-15 (15, the default, leaves it out).</summary>
        public byte DeflateClientMaxWindowBits { get; set; } = 15;
        /// <summary>server_max_window_bits to offer, 8-15 (15, the default, leaves it out).</summary>
        public byte DeflateServerMaxWindowBits { get; set; } = 15;
        /// <summary>Offer client_no_context_takeover.</summary>
        public bool DeflateClientNoContextTakeover { get; set; }
        /// <summary>Offer server_no_context_takeover.</summary>
        public bool DeflateServerNoContextTakeover { get; set; }

        // ---- time and size limits

        /// <summary>Time allowed for the opening handshake (library default 30 s; Zero: no limit).</summary>
        public TimeSpan? ConnectTimeout { get; set; }
        /// <summary>Time allowed for the closing handshake (library default 5 s).</summary>
        public TimeSpan? CloseTimeout { get; set; }
        /// <summary>Send a ping this often once open (default: never, as a browser).</summary>
        public TimeSpan? PingInterval { get; set; }
        /// <summary>How long a keepalive ping may wait for its pong (library default 10 s).</summary>
        public TimeSpan? PongTimeout { get; set; }
        /// <summary>Largest incoming message in bytes (library default 64 MiB); larger fails the connection (close frame 1009).</summary>
        public ulong? MaxMessageSize { get; set; }
        /// <summary>Largest BufferedAmount (library default 256 MiB); a send past it fails the connection.</summary>
        public ulong? SendBufferLimit { get; set; }
        /// <summary>
        /// Receive flow control: the most bytes of received messages (after inflation) the
        /// library holds for this socket before it stops reading it, so that TCP pushes back
        /// on the server (library default 8 MiB, <see cref="WebSocket.DefaultReceiveLimit"/>;
        /// 0 is refused). Reading resumes at half. The managed side (<see cref="ReceiveQueueCapacity"/>)
        /// holds at most as many bytes again, plus one message. Nothing is lost or reordered;
        /// a message larger than the limit still arrives whole (<see cref="MaxMessageSize"/>
        /// bounds one message). See <see cref="WebSocket.UndeliveredAmount"/>.
        /// </summary>
        public ulong? ReceiveLimit { get; set; }

        /// <summary>Automatic reconnect; null (default) for none, as in a browser.</summary>
        public ReconnectSettings Reconnect { get; set; }

        internal WebSocketSettings Clone()
        {
            var c = (WebSocketSettings)MemberwiseClone();
            c._headers = new List<KeyValuePair<string, string>>(_headers);
            if (Reconnect != null)
                c.Reconnect = new ReconnectSettings
                {
                    InitialDelay = Reconnect.InitialDelay, MaxDelay = Reconnect.MaxDelay, MaxAttempts = Reconnect.MaxAttempts,
                };
            return c;
        }

        /// <summary>Writes these settings into a ws_options; throws what the library refuses.</summary>
        internal void ApplyTo(IntPtr options, bool deferredConnect)
        {
            Check(PolywsNative.ws_options_set_deferred_connect(options, deferredConnect), nameof(Delivery));
            if (CaFile != null) Check(PolywsNative.ws_options_set_ca_file(options, CaFile), nameof(CaFile));
            if (CaPem != null) Check(PolywsNative.ws_options_set_ca_pem(options, CaPem), nameof(CaPem));
            if (ClientCertificateFile != null || ClientKeyFile != null)
                Check(PolywsNative.ws_options_set_client_cert(options, ClientCertificateFile, ClientKeyFile), nameof(ClientCertificateFile));
            if (TlsServerName != null) Check(PolywsNative.ws_options_set_tls_server_name(options, TlsServerName), nameof(TlsServerName));
            if (InsecureSkipTlsVerify) Check(PolywsNative.ws_options_set_insecure_no_tls_verify(options, true), nameof(InsecureSkipTlsVerify));
            foreach (var h in Headers)
                Check(PolywsNative.ws_options_add_header(options, h.Key ?? "", h.Value ?? ""), nameof(Headers));
            if (UserAgent != null) Check(PolywsNative.ws_options_set_user_agent(options, UserAgent), nameof(UserAgent));
            if (Proxy != null) Check(PolywsNative.ws_options_set_proxy(options, Proxy), nameof(Proxy));
            if (ProxyFromEnvironment) Check(PolywsNative.ws_options_set_proxy_from_environment(options, true), nameof(ProxyFromEnvironment));
            if (PerMessageDeflate)
            {
                Check(PolywsNative.ws_options_set_permessage_deflate(options, true), nameof(PerMessageDeflate));
                Check(PolywsNative.ws_options_set_deflate_window_bits(options, DeflateClientMaxWindowBits, DeflateServerMaxWindowBits), nameof(DeflateClientMaxWindowBits));
                Check(PolywsNative.ws_options_set_deflate_no_context_takeover(options, DeflateClientNoContextTakeover, DeflateServerNoContextTakeover), nameof(DeflateClientNoContextTakeover));
            }
            if (ConnectTimeout.HasValue) Check(PolywsNative.ws_options_set_connect_timeout_ms(options, Milliseconds(ConnectTimeout.Value, nameof(ConnectTimeout))), nameof(ConnectTimeout));
            if (CloseTimeout.HasValue) Check(PolywsNative.ws_options_set_close_timeout_ms(options, Milliseconds(CloseTimeout.Value, nameof(CloseTimeout))), nameof(CloseTimeout));
            if (PingInterval.HasValue) Check(PolywsNative.ws_options_set_ping_interval_ms(options, Milliseconds(PingInterval.Value, nameof(PingInterval))), nameof(PingInterval));
            if (PongTimeout.HasValue) Check(PolywsNative.ws_options_set_pong_timeout_ms(options, Milliseconds(PongTimeout.Value, nameof(PongTimeout))), nameof(PongTimeout));
            if (MaxMessageSize.HasValue) Check(PolywsNative.ws_options_set_max_message_size(options, MaxMessageSize.Value), nameof(MaxMessageSize));
            if (SendBufferLimit.HasValue) Check(PolywsNative.ws_options_set_send_buffer_limit(options, SendBufferLimit.Value), nameof(SendBufferLimit));
            if (ReceiveLimit.HasValue) Check(PolywsNative.ws_options_set_receive_limit(options, ReceiveLimit.Value), nameof(ReceiveLimit));
            if (Reconnect != null)
                Check(PolywsNative.ws_options_set_reconnect(options,
                        Milliseconds(Reconnect.InitialDelay, nameof(Reconnect)),
                        Milliseconds(Reconnect.MaxDelay, nameof(Reconnect)), Reconnect.MaxAttempts), nameof(Reconnect));
        }

        private static uint Milliseconds(TimeSpan t, string name)
        {
            if (t < TimeSpan.Zero || t.TotalMilliseconds > uint.MaxValue)
                throw new ArgumentOutOfRangeException(name, t, "must be between 0 and 2^32-1 ms");
            return (uint)t.TotalMilliseconds;
        }

        private static void Check(ws_result r, string name)
        {
            if (r != ws_result.WS_OK)
                throw Errors.ToException(r, PolywsNative.ws_last_error(IntPtr.Zero), name);
        }
    }
}
