using System;
using Xunit;

namespace Polyws.Tests
{
    /// <summary>Contract rules 1-6: what the constructor accepts, refuses and sets.</summary>
    public class ConstructorTests
    {
        [Theory]
        [InlineData("/relative")]
        [InlineData("not a url")]
        [InlineData("ftp://127.0.0.1/")]
        [InlineData("ws://127.0.0.1/#")]
        [InlineData("ws://127.0.0.1/#frag")]
        public void BadUrlIsSyntaxError(string url)
        {
            var ex = Assert.ThrowsAny<ArgumentException>(() => new WebSocket(url));
            Assert.Contains("SyntaxError", ex.Message);
            Assert.Equal("url", ex.ParamName);
        }

        [Theory]
        [InlineData("a b")]
        [InlineData("")]
        [InlineData("a,b")]
        [InlineData("caf\u00e9")]
        public void BadProtocolIsSyntaxError(string protocol)
        {
            var ex = Assert.ThrowsAny<ArgumentException>(() => new WebSocket("ws://127.0.0.1:1/", protocol));
            Assert.Contains("SyntaxError", ex.Message);
        }

        [Fact]
        public void DuplicateProtocolsAreSyntaxError()
        {
            var ex = Assert.ThrowsAny<ArgumentException>(() => new WebSocket("ws://127.0.0.1:1/", "chat", "chat"));
            Assert.Contains("SyntaxError", ex.Message);
        }

        [Fact]
        public void NullUrlIsArgumentNull()
        {
            Assert.Throws<ArgumentNullException>(() => new WebSocket(null));
        }

        [Theory]
        [InlineData("http://127.0.0.1:1/x", "ws://127.0.0.1:1/x")]
        [InlineData("https://127.0.0.1:1/", "wss://127.0.0.1:1/")]
        [InlineData("ws://127.0.0.1:1", "ws://127.0.0.1:1/")]
        public void UrlReadsBackSerialized(string given, string expected)
        {
            using var ws = new WebSocket(given);
            Assert.Equal(expected, ws.Url);
        }

        [Fact]
        public void InitialAttributes()
        {
            using var ws = new WebSocket("ws://127.0.0.1:1/", "chat", "superchat");
            Assert.Equal(ReadyState.Connecting, ws.ReadyState);
            Assert.Equal("", ws.Protocol);
            Assert.Equal("", ws.Extensions);
            Assert.Equal(BinaryType.Blob, ws.BinaryType);
            Assert.Equal(0, ws.BufferedAmount);
        }

        [Fact]
        public void NetworkFailureNeverFailsTheConstructor()
        {
            // Rule 6: a refused connection arrives later as error, then close 1006.
            using var ws = new WebSocket($"ws://127.0.0.1:{Pump.ClosedPort()}/");
            var log = new EventLog(ws);
            Pump.Until(ws, () => log.Close != null, "close");
            Assert.Equal("error,close 1006", log.ToString());
            Assert.False(log.Close.WasClean);
            Assert.Equal(ReadyState.Closed, log.StateAtError);
            Assert.False(string.IsNullOrEmpty(log.Error));
        }

        [Fact]
        public void RefusedSettingIsArgumentException()
        {
            var settings = new WebSocketSettings().AddHeader("Upgrade", "nope");
            Assert.ThrowsAny<ArgumentException>(() => new WebSocket("ws://127.0.0.1:1/", settings));
            var bad = new WebSocketSettings().AddHeader("X-Ok", "a\r\nb");
            Assert.ThrowsAny<ArgumentException>(() => new WebSocket("ws://127.0.0.1:1/", bad));
            var missingCa = new WebSocketSettings { CaFile = "/nonexistent/ca.pem" };
            Assert.ThrowsAny<ArgumentException>(() => new WebSocket("wss://127.0.0.1:1/", missingCa));
        }

        [Fact]
        public void SynchronizationContextDeliveryNeedsAContext()
        {
            var old = System.Threading.SynchronizationContext.Current;
            System.Threading.SynchronizationContext.SetSynchronizationContext(null);
            try
            {
                var settings = new WebSocketSettings { Delivery = EventDelivery.SynchronizationContext };
                Assert.Throws<InvalidOperationException>(() => new WebSocket("ws://127.0.0.1:1/", settings));
            }
            finally
            {
                System.Threading.SynchronizationContext.SetSynchronizationContext(old);
            }
        }

        [Fact]
        public void NativeVersionMatches()
        {
            Assert.Equal("0.1.0", WebSocket.NativeVersion.Substring(0, 5));
        }
    }
}
