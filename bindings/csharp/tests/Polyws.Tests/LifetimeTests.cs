using System;
using System.Collections.Generic;
using System.Threading;
using Xunit;

namespace Polyws.Tests
{
    /// <summary>Dispose in every state, handler exceptions, and the GC.</summary>
    [Collection("peers")]
    public class LifetimeTests
    {
        private readonly PeersFixture _peers;
        public LifetimeTests(PeersFixture peers) => _peers = peers;

        private static void AssertDisposed(WebSocket ws, EventLog log)
        {
            int before = log.Lines.Count;
            Assert.Equal(ReadyState.Closed, ws.ReadyState);
            Assert.Equal(0, ws.DispatchEvents(100)); // nothing runs after Dispose
            Assert.Equal(before, log.Lines.Count);
            Assert.Throws<ObjectDisposedException>(() => ws.Send("x"));
            Assert.Throws<ObjectDisposedException>(() => ws.Send(new byte[1]));
            ws.Close(1000); // nothing happens, as on a closed socket
            ws.Dispose();   // twice is fine
        }

        [Fact]
        public void DisposeWhileConnecting()
        {
            var ws = new WebSocket(_peers.Node.Url("/slow-handshake"));
            var log = new EventLog(ws);
            ws.Dispose();
            AssertDisposed(ws, log);
            Assert.Empty(log.Lines);
        }

        [Fact]
        public void DisposeWhenOpenClosesWithGoingAway()
        {
            var ws = new WebSocket(_peers.Echo.Url());
            var log = new EventLog(ws);
            Pump.Until(ws, () => log.Lines.Count == 1, "open");
            ws.Send("pending");
            ws.Dispose();
            AssertDisposed(ws, log);
        }

        [Fact]
        public void DisposeWhileClosingAndWhenClosed()
        {
            var ws = new WebSocket(_peers.Echo.Url());
            var log = new EventLog(ws);
            Pump.Until(ws, () => log.Lines.Count == 1, "open");
            ws.Close(1000);
            ws.Dispose();
            AssertDisposed(ws, log);

            var ws2 = new WebSocket(_peers.Echo.Url());
            var log2 = new EventLog(ws2);
            Pump.Until(ws2, () => log2.Lines.Count == 1, "open");
            ws2.Close(1000);
            Pump.ToClose(ws2);
            ws2.Dispose();
            AssertDisposed(ws2, log2);
        }

        [Theory]
        [InlineData("open")]
        [InlineData("message")]
        [InlineData("close")]
        public void DisposeFromInsideAHandler(string where)
        {
            var ws = new WebSocket(_peers.Echo.Url());
            var log = new EventLog(ws);
            bool disposed = false;
            ws.OnOpen += (s, e) =>
            {
                if (where == "open") { ws.Dispose(); disposed = true; }
                else ws.Send("one");
            };
            ws.OnMessage += (s, e) =>
            {
                if (where == "message") { ws.Dispose(); disposed = true; }
                else ws.Close(1000);
            };
            ws.OnClose += (s, e) => { if (where == "close") { ws.Dispose(); disposed = true; } };
            var sw = System.Diagnostics.Stopwatch.StartNew();
            while (!disposed && sw.Elapsed < Pump.Limit) ws.DispatchEvents(20);
            Assert.True(disposed);
            AssertDisposed(ws, log);
        }

        [Fact]
        public void DispatchEventsFromAHandlerIsRefused()
        {
            using var ws = new WebSocket(_peers.Echo.Url());
            Exception inner = null;
            ws.OnOpen += (s, e) =>
            {
                try { ws.DispatchEvents(); } catch (Exception ex) { inner = ex; }
            };
            Pump.Until(ws, () => inner != null, "open");
            Assert.IsType<InvalidOperationException>(inner);
        }

        [Fact]
        public void HandlerExceptionsAreReportedAndDispatchGoesOn()
        {
            using var ws = new WebSocket(_peers.Echo.Url());
            var reported = new List<HandlerExceptionEventArgs>();
            EventHandler<HandlerExceptionEventArgs> report = (s, e) => { if (e.Socket == ws) lock (reported) reported.Add(e); };
            WebSocket.HandlerException += report;
            try
            {
                int secondOpenHandler = 0, messages = 0;
                ws.OnOpen += (s, e) => throw new InvalidOperationException("boom in open");
                ws.OnOpen += (s, e) => { secondOpenHandler++; ws.Send("a"); ws.Send("b"); };
                ws.OnMessage += (s, e) => { messages++; throw new ApplicationException("boom in message " + e.Text); };
                Pump.Until(ws, () => messages == 2, "both messages despite the throwing handler");
                Assert.Equal(1, secondOpenHandler);
                ws.Close(1000);
                var close = Pump.ToClose(ws);
                Assert.True(close.WasClean);
                lock (reported)
                {
                    Assert.Equal(3, reported.Count);
                    Assert.Equal("open", reported[0].EventName);
                    Assert.Equal("boom in open", reported[0].Exception.Message);
                    Assert.Equal("message", reported[1].EventName);
                    Assert.Equal("boom in message b", reported[2].Exception.Message);
                }
            }
            finally
            {
                WebSocket.HandlerException -= report;
            }
        }

        [Fact]
        public void HandlerExceptionWithNobodyListeningGoesToTrace()
        {
            using var ws = new WebSocket(_peers.Echo.Url());
            bool after = false;
            ws.OnOpen += (s, e) => throw new Exception("nobody listens");
            ws.OnOpen += (s, e) => after = true;
            Pump.Until(ws, () => after, "the handler after the throwing one");
        }

        [Fact]
        public void EventsUnderRepeatedGarbageCollection()
        {
            // Handlers are lambdas over locals, reachable only from the socket;
            // the GC runs before every dispatch and inside every handler.
            using var ws = new WebSocket(_peers.Echo.Url());
            int received = 0;
            const int N = 300;
            ws.OnOpen += (s, e) => { GC.Collect(); ws.Send("0"); };
            ws.OnMessage += (s, e) =>
            {
                GC.Collect();
                int n = int.Parse(e.Text);
                Assert.Equal(received, n);
                received++;
                if (received < N) ws.Send((n + 1).ToString());
                else ws.Close(1000, "done");
            };
            var sw = System.Diagnostics.Stopwatch.StartNew();
            CloseEventArgs close = null;
            ws.OnClose += (s, e) => close = e;
            while (close == null && sw.Elapsed < TimeSpan.FromSeconds(60))
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                ws.DispatchEvents(20);
            }
            Assert.Equal(N, received);
            Assert.NotNull(close);
            Assert.True(close.WasClean);
        }

        [Fact]
        public void AbandonedSocketsAreFinalizedSafely()
        {
            // Sockets dropped without Dispose in every state: the finalizer frees
            // them; nothing may crash, and new sockets keep working.
            for (int i = 0; i < 20; i++) MakeAndAbandon(i % 3);
            for (int i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
            using var ws = new WebSocket(_peers.Echo.Url());
            var log = new EventLog(ws);
            Pump.Until(ws, () => log.Lines.Count == 1, "open after the finalizers ran");
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private void MakeAndAbandon(int state)
        {
            var ws = new WebSocket(_peers.Echo.Url());
            ws.OnMessage += (s, e) => { };
            if (state == 0) return; // connecting
            bool open = false;
            ws.OnOpen += (s, e) => open = true;
            Pump.Until(ws, () => open, "open");
            if (state == 2) ws.Close(1000); // closing
        }

        [Fact]
        public void BackgroundSocketsUnderGarbageCollection()
        {
            var settings = new WebSocketSettings { Delivery = EventDelivery.BackgroundThread };
            var ws = new WebSocket(_peers.Echo.Url(), settings);
            int received = 0;
            var done = new ManualResetEventSlim();
            // The handlers reach the socket through the sender only.
            ws.OnOpen += (s, e) => ((WebSocket)s).Send("m");
            ws.OnMessage += (s, e) =>
            {
                if (++received < 200) ((WebSocket)s).Send("m");
                else ((WebSocket)s).Close(1000);
            };
            ws.OnClose += (s, e) => done.Set();
            ws.Connect();
            ws = null; // only the event thread holds it now
            var sw = System.Diagnostics.Stopwatch.StartNew();
            while (!done.IsSet && sw.Elapsed < Pump.Limit)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                done.Wait(5);
            }
            Assert.True(done.IsSet);
            Assert.Equal(200, received);
        }
    }
}
