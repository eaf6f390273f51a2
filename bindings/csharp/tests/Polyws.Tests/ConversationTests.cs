using System;
using System.Linq;
using System.Text;
using Xunit;

namespace Polyws.Tests
{
    /// <summary>Send, receive and close against each peer (contract rules 9-24).</summary>
    [Collection("peers")]
    public class ConversationTests
    {
        private readonly PeersFixture _peers;
        public ConversationTests(PeersFixture peers) => _peers = peers;

        [Theory]
        [InlineData("echo")]
        [InlineData("node")]
        [InlineData("python")]
        public void EchoTextAndBinaryThenCleanClose(string peer)
        {
            using var ws = new WebSocket(_peers.ByName(peer).Url());
            var log = new EventLog(ws);
            Assert.Throws<InvalidOperationException>(() => ws.Send("too early")); // rule 9
            Pump.Until(ws, () => log.Lines.Count >= 1, "open");
            Assert.Equal(ReadyState.Open, log.StateAtOpen);
            Assert.Equal(ReadyState.Open, ws.ReadyState);

            string text = "h\u00e9llo \u4e16\u754c \ud83d\ude00";
            byte[] bytes = Enumerable.Range(0, 70000).Select(i => (byte)(i * 7)).ToArray();
            ws.Send(text);
            ws.Send(bytes);
            ws.Send(new ReadOnlySpan<byte>(bytes, 10, 5));
            ws.SendText(Encoding.UTF8.GetBytes("utf8 bytes"));
            ws.Send("");
            Pump.Until(ws, () => log.Messages.Count == 5, "five echoes");
            Assert.Equal(MessageType.Text, log.Messages[0].Type);
            Assert.Equal(text, log.Messages[0].Text);
            Assert.Equal(MessageType.Binary, log.Messages[1].Type);
            Assert.Equal(bytes, log.Messages[1].Data);
            Assert.Null(log.Messages[1].Text);
            Assert.Equal(bytes.Skip(10).Take(5).ToArray(), log.Messages[2].Data);
            Assert.Equal("utf8 bytes", log.Messages[3].Text);
            Assert.Equal("", log.Messages[4].Text);
            Pump.Until(ws, () => ws.BufferedAmount == 0, "bufferedAmount back to 0");

            ws.Close(1000, "bye");
            Assert.Equal(ReadyState.Closing, ws.ReadyState); // rule 19: CLOSING at once
            var close = Pump.ToClose(ws);
            Assert.Equal(1000, close.Code);
            Assert.Equal("bye", close.Reason);
            Assert.True(close.WasClean);
            Assert.Equal(ReadyState.Closed, ws.ReadyState);
            Assert.Equal("open,text,binary,binary,text,text,close 1000", log.ToString());
        }

        [Fact]
        public void BinaryTypeIsReportedAtDispatch()
        {
            using var ws = new WebSocket(_peers.Echo.Url());
            var log = new EventLog(ws);
            Pump.Until(ws, () => log.Lines.Count >= 1, "open");
            ws.Send(new byte[] { 1 });
            Pump.Until(ws, () => log.Messages.Count == 1, "echo");
            ws.BinaryType = BinaryType.ArrayBuffer;
            Assert.Equal(BinaryType.ArrayBuffer, ws.BinaryType);
            ws.Send(new byte[] { 2 });
            Pump.Until(ws, () => log.Messages.Count == 2, "echo");
            Assert.Equal(BinaryType.Blob, log.Messages[0].BinaryType);
            Assert.Equal(BinaryType.ArrayBuffer, log.Messages[1].BinaryType);
        }

        [Fact]
        public void CloseArgumentsAreCheckedCodeFirst()
        {
            using var ws = new WebSocket(_peers.Echo.Url());
            foreach (int code in new[] { 0, 999, 1001, 1005, 2999, 5000, 65536, -1 })
                Assert.Throws<ArgumentOutOfRangeException>(() => ws.Close(code, "ok"));
            string longReason = new string('a', 124);
            // Rule 15: the code is checked before the reason.
            Assert.Throws<ArgumentOutOfRangeException>(() => ws.Close(1001, longReason));
            var ex = Assert.Throws<ArgumentException>(() => ws.Close(1000, longReason));
            Assert.Contains("SyntaxError", ex.Message);
            // 123 bytes of UTF-8 (62 two-byte chars = 124 bytes: too long).
            Assert.Throws<ArgumentException>(() => ws.Close(4000, new string('\u00e9', 62)));
            ws.Close(4000, new string('a', 123));
        }

        [Fact]
        public void NativeCloseWithReasonButNoCodeSends1000()
        {
            // Close(code, reason) always has a code; the C call under it takes 0 for "no code",
            // and a reason with code 0 goes out as 1000 (close(undefined, reason) in a browser).
            // polyws-echo answers with the code and reason it received.
            Assert.Equal(Native.ws_result.WS_OK,
                Native.PolywsNative.ws_loop_new(Native.ws_delivery_t.WS_DELIVERY_DISPATCH, out IntPtr loop));
            try
            {
                Assert.Equal(Native.ws_result.WS_OK,
                    Native.PolywsNative.ws_new_ex(loop, _peers.Echo.Url(), Array.Empty<string>(), IntPtr.Zero, out IntPtr ws));
                try
                {
                    Assert.Equal(Native.ws_event_type_t.WS_EVENT_OPEN, NextEventType(loop, out _));
                    Assert.Equal(Native.ws_result.WS_OK, Native.PolywsNative.ws_close(ws, 0, "r"));
                    Assert.Equal(Native.ws_event_type_t.WS_EVENT_CLOSE, NextEventType(loop, out IntPtr close));
                    Assert.Equal(1000, Native.PolywsNative.ws_event_code(close));
                    Assert.Equal("r", Native.PolywsNative.ws_event_reason(close));
                }
                finally { Native.PolywsNative.ws_free(ws); }
            }
            finally { Native.PolywsNative.ws_loop_free(loop); }
        }

        /// <summary>The next event of a dispatch loop (valid until the next call), within 10 s.</summary>
        private static Native.ws_event_type_t NextEventType(IntPtr loop, out IntPtr ev)
        {
            Assert.Equal(Native.ws_result.WS_OK, Native.PolywsNative.ws_loop_next_event(loop, 10000, out ev));
            Assert.NotEqual(IntPtr.Zero, ev);
            return Native.PolywsNative.ws_event_type(ev);
        }

        [Fact]
        public void CloseWhileConnectingFailsTheConnection()
        {
            using var ws = new WebSocket(_peers.Node.Url("/slow-handshake"));
            var log = new EventLog(ws);
            ws.Close();
            Assert.Equal(ReadyState.Closing, ws.ReadyState);
            Pump.Until(ws, () => log.Close != null, "close");
            Assert.Equal("error,close 1006", log.ToString()); // rule 18
            Assert.False(log.Close.WasClean);
        }

        [Theory]
        [InlineData("node", "/close?code=4001&reason=server%20says", 4001, "server says")]
        [InlineData("node", "/close", 1005, "")]
        [InlineData("python", "/close?code=3000&reason=py", 3000, "py")]
        public void ServerInitiatedClose(string peer, string path, int code, string reason)
        {
            using var ws = new WebSocket(_peers.ByName(peer).Url(path));
            var log = new EventLog(ws);
            var close = Pump.ToClose(ws);
            Assert.Equal(code, close.Code);
            Assert.Equal(reason, close.Reason);
            Assert.True(close.WasClean);
            Assert.Equal("open,close " + code, log.ToString());
        }

        [Theory]
        [InlineData("/status?code=403")]
        [InlineData("/redirect")]
        [InlineData("/subprotocol-bogus")]
        public void HandshakeFaultsGiveErrorThen1006(string path)
        {
            using var ws = new WebSocket(_peers.Node.Url(path), "chat");
            var log = new EventLog(ws);
            Pump.ToClose(ws);
            Assert.Equal("error,close 1006", log.ToString());
            Assert.False(log.Close.WasClean);
            Assert.Equal(ReadyState.Closed, log.StateAtError);
            Assert.False(string.IsNullOrEmpty(log.Error));
        }

        [Fact]
        public void DropAfterOpenIs1006WithoutError()
        {
            using var ws = new WebSocket(_peers.Node.Url("/drop-after-open"));
            var log = new EventLog(ws);
            Pump.ToClose(ws);
            Assert.Equal("open,close 1006", log.ToString()); // rule 24
            Assert.False(log.Close.WasClean);
        }

        [Fact]
        public void SubprotocolIsSetAtOpen()
        {
            using var ws = new WebSocket(_peers.Node.Url("/subprotocol"), "superchat", "chat");
            string atOpen = null;
            ws.OnOpen += (s, e) => atOpen = ws.Protocol;
            Assert.Equal("", ws.Protocol);
            Pump.Until(ws, () => atOpen != null, "open");
            Assert.Equal("superchat", atOpen);
            Assert.NotNull(ws.GetResponseHeader("sec-websocket-accept"));
        }

        [Fact]
        public void BufferedAmountAfterCloseGrowsAndNeverFalls()
        {
            using var ws = new WebSocket(_peers.Echo.Url());
            var log = new EventLog(ws);
            Pump.Until(ws, () => log.Lines.Count >= 1, "open");
            ws.Close(1000);
            long before = ws.BufferedAmount;
            ws.Send(new byte[10]);   // rule 11: discarded, no exception, still counted
            ws.Send("abc");
            Assert.Equal(before + 13, ws.BufferedAmount);
            Pump.ToClose(ws);
            ws.Send(new byte[7]);
            Assert.Equal(before + 20, ws.BufferedAmount);
            Assert.Empty(log.Messages);
        }

        [Fact]
        public void BufferedAmountCountsPayloadBytesWhileOpen()
        {
            using var ws = new WebSocket(_peers.Echo.Url());
            var log = new EventLog(ws);
            Pump.Until(ws, () => log.Lines.Count >= 1, "open");
            var big = new byte[4 << 20];
            ws.Send(big);
            long right = ws.BufferedAmount;
            Assert.InRange(right, 0, big.Length); // payload only, never framing (rule 12)
            Pump.Until(ws, () => log.Messages.Count == 1, "the 4 MiB echo");
            Assert.Equal(0, ws.BufferedAmount);
        }

        [Fact]
        public void NoMessageAfterClose()
        {
            // The server sends 200 messages; close() right at open: none may be dispatched after.
            using var ws = new WebSocket(_peers.Node.Url("/send?count=200&size=10&type=text"));
            var log = new EventLog(ws);
            int afterClose = 0;
            bool closed = false;
            ws.OnMessage += (s, e) => { if (closed) afterClose++; };
            ws.OnOpen += (s, e) => { ws.Close(1000); closed = true; };
            Pump.ToClose(ws);
            Assert.Equal(0, afterClose);
        }

        [Fact]
        public void InvalidUtf8TextIsRefusedAndNotSent()
        {
            using var ws = new WebSocket(_peers.Echo.Url());
            var log = new EventLog(ws);
            Pump.Until(ws, () => log.Lines.Count >= 1, "open");
            Assert.ThrowsAny<ArgumentException>(() => ws.SendText(new byte[] { 0xc3, 0x28 }));
            ws.Send("after");
            Pump.Until(ws, () => log.Messages.Count == 1, "echo");
            Assert.Equal("after", log.Messages[0].Text); // the bad one never went out
        }

        [Fact]
        public void LoneSurrogateIsReplacedAsABrowserDoes()
        {
            using var ws = new WebSocket(_peers.Echo.Url());
            var log = new EventLog(ws);
            Pump.Until(ws, () => log.Lines.Count >= 1, "open");
            ws.Send("a\ud800b");
            Pump.Until(ws, () => log.Messages.Count == 1, "echo");
            Assert.Equal("a\ufffdb", log.Messages[0].Text);
        }

        [Fact]
        public void MaxMessageSizeFailsTheConnection()
        {
            var settings = new WebSocketSettings { MaxMessageSize = 1000 };
            using var ws = new WebSocket(_peers.Echo.Url(), settings);
            var log = new EventLog(ws);
            Pump.Until(ws, () => log.Lines.Count >= 1, "open");
            ws.Send(new byte[2000]);
            Pump.ToClose(ws);
            Assert.Equal("open,error,close 1006", log.ToString());
        }

        [Fact]
        public void SendBufferLimitFailsTheConnectionWithoutThrowing()
        {
            var settings = new WebSocketSettings { SendBufferLimit = 1 << 20 };
            using var ws = new WebSocket(_peers.Echo.Url(), settings);
            var log = new EventLog(ws);
            Pump.Until(ws, () => log.Lines.Count >= 1, "open");
            ws.Send(new byte[2 << 20]); // rule 14: no exception; error then close
            Pump.ToClose(ws);
            Assert.Equal("open,error,close 1006", log.ToString());
        }

        [Fact]
        public void HeadersAndUserAgentReachTheServer()
        {
            var settings = new WebSocketSettings { UserAgent = "polyws-csharp-test/1" }
                .AddHeader("X-Polyws-Test", "yes")
                .AddHeader("Authorization", "Bearer abc");
            using var ws = new WebSocket(_peers.Node.Url("/headers"), settings);
            var log = new EventLog(ws);
            Pump.Until(ws, () => log.Messages.Count == 1, "the headers message");
            string json = log.Messages[0].Text;
            Assert.Contains("\"x-polyws-test\":\"yes\"", json);
            Assert.Contains("\"authorization\":\"Bearer abc\"", json);
            Assert.Contains("polyws-csharp-test/1", json);
        }

        [Theory]
        [InlineData("node")]
        [InlineData("python")]
        public void PerMessageDeflateIsNegotiated(string peer)
        {
            // Peers started with --deflate, for this test only.
            using var server = peer == "node"
                ? new PeerServer("node ws --deflate", "node", System.IO.Path.Combine(PeersFixture.Env("POLYWS_PEERS"), "node_server.js"), "--port", "0", "--deflate")
                : new PeerServer("python websockets --deflate", "/usr/bin/python3", System.IO.Path.Combine(PeersFixture.Env("POLYWS_PEERS"), "py_server.py"), "--port", "0", "--deflate");
            var settings = new WebSocketSettings { PerMessageDeflate = true };
            using var ws = new WebSocket(server.Url(), settings);
            var log = new EventLog(ws);
            Pump.Until(ws, () => log.Lines.Count >= 1, "open");
            Assert.StartsWith("permessage-deflate", ws.Extensions);
            string text = new string('z', 100000);
            ws.Send(text);
            Pump.Until(ws, () => log.Messages.Count == 1, "echo");
            Assert.Equal(text, log.Messages[0].Text);
        }

        [Fact]
        public void ReconnectAfterADrop()
        {
            var settings = new WebSocketSettings
            {
                Reconnect = new ReconnectSettings { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(100), MaxAttempts = 1 },
            };
            using var ws = new WebSocket(_peers.Node.Url("/drop-after-open"), settings);
            var log = new EventLog(ws);
            uint attempt = 0;
            int opens = 0;
            ws.OnReconnect += (s, e) => { attempt = e.Attempt; log.Lines.Add("reconnect"); };
            // The peer drops every connection: stop after the second open.
            ws.OnOpen += (s, e) => { if (++opens == 2) ws.Close(1000); };
            Pump.Until(ws, () => opens == 2 && log.Close != null && !log.Close.WillReconnect, "two opens then the final close");
            Assert.Equal(1u, attempt);
            Assert.StartsWith("open,close 1006,reconnect,open,close", log.ToString());
        }
    }
}
