using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Polyws.Tests
{
    /// <summary>
    /// WebSocketSettings.HostDriven (a WS_DELIVERY_HOST_DRIVEN loop: no library I/O
    /// thread, the thread that takes events does the I/O) in every delivery mode,
    /// with the async API, and Dispose in every state.
    /// </summary>
    [Collection("peers")]
    public class HostDrivenTests
    {
        private readonly PeersFixture _peers;
        public HostDrivenTests(PeersFixture peers) => _peers = peers;

        private static WebSocketSettings HostDriven(EventDelivery delivery = EventDelivery.Manual) =>
            new WebSocketSettings { HostDriven = true, Delivery = delivery };

        private static readonly byte[] Bytes = Enumerable.Range(0, 70000).Select(i => (byte)(i * 7)).ToArray();
        private const string Text = "h\u00e9llo \u4e16\u754c \ud83d\ude00";

        [Theory]
        [InlineData("echo")]
        [InlineData("node")]
        [InlineData("python")]
        public void ManualEchoThenCleanClose(string peer)
        {
            using var ws = new WebSocket(_peers.ByName(peer).Url(), HostDriven());
            Assert.True(ws.HostDriven);
            var log = new EventLog(ws);
            Assert.Throws<InvalidOperationException>(() => ws.Send("too early"));
            Pump.Until(ws, () => log.Lines.Count >= 1, "open");
            Assert.Equal(ReadyState.Open, log.StateAtOpen);

            // Sent while no thread dispatches: written within Send.
            ws.Send(Text);
            ws.Send(Bytes);
            ws.Send("");
            Pump.Until(ws, () => log.Messages.Count == 3, "three echoes");
            Assert.Equal(Text, log.Messages[0].Text);
            Assert.Equal(Bytes, log.Messages[1].Data);
            Assert.Equal("", log.Messages[2].Text);
            Assert.Equal(0, ws.BufferedAmount);

            // Sent from the handlers, i.e. while this thread dispatches.
            int round = 0;
            ws.OnMessage += (s, e) => { if (++round < 100) ws.Send("r" + round); };
            ws.Send("r0");
            Pump.Until(ws, () => round == 100, "100 round trips from the handler");
            Assert.Equal("r99", log.Messages.Last().Text);

            ws.Close(1000, "bye");
            Assert.Equal(ReadyState.Closing, ws.ReadyState);
            var close = Pump.ToClose(ws);
            Assert.Equal(1000, close.Code);
            Assert.Equal("bye", close.Reason);
            Assert.True(close.WasClean);
            Assert.Equal(ReadyState.Closed, ws.ReadyState);
            Assert.StartsWith("open,text,binary,text,text", log.ToString());
            Assert.EndsWith(",close 1000", log.ToString());
        }

        [Fact]
        public void ManualServerCloseAndHandshakeFailure()
        {
            using (var ws = new WebSocket(_peers.Node.Url("/close?code=4001&reason=server%20says"), HostDriven()))
            {
                var log = new EventLog(ws);
                var close = Pump.ToClose(ws);
                Assert.Equal(4001, close.Code);
                Assert.Equal("server says", close.Reason);
                Assert.True(close.WasClean);
                Assert.Equal("open,close 4001", log.ToString());
            }
            using (var ws = new WebSocket($"ws://127.0.0.1:{Pump.ClosedPort()}/", HostDriven()))
            {
                var log = new EventLog(ws);
                Pump.ToClose(ws);
                Assert.Equal("error,close 1006", log.ToString());
            }
        }

        [Theory]
        [InlineData("echo")]
        [InlineData("node")]
        [InlineData("python")]
        public void BackgroundThreadEchoThenCleanClose(string peer)
        {
            using var ws = new WebSocket(_peers.ByName(peer).Url(), HostDriven(EventDelivery.BackgroundThread));
            var lines = new List<string>();
            var messages = new List<WebSocketMessage>();
            var opened = new ManualResetEventSlim();
            var closed = new TaskCompletionSource<CloseEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            var handlerThreads = new ConcurrentBag<int>();
            ws.OnOpen += (s, e) => { handlerThreads.Add(Environment.CurrentManagedThreadId); lock (lines) lines.Add("open"); opened.Set(); };
            ws.OnMessage += (s, e) =>
            {
                handlerThreads.Add(Environment.CurrentManagedThreadId);
                lock (lines) { lines.Add(e.IsText ? "text" : "binary"); messages.Add(e.Message); }
                // The second echo is answered from the handler (a send on the dispatching thread).
                if (e.IsText && e.Text == Text) ws.Send(Bytes);
                if (!e.IsText) ws.Close(1000, "bye");
            };
            ws.OnClose += (s, e) => { lock (lines) lines.Add("close " + e.Code); closed.TrySetResult(e); };
            ws.Connect();
            Assert.True(opened.Wait(Pump.Limit), "open");
            // A send from this thread while the delivery thread waits in the library: posted, and wakes it.
            ws.Send(Text);
#pragma warning disable xUnit1031 // a bounded wait
            Assert.True(closed.Task.Wait(Pump.Limit), "close");
            CloseEventArgs close = closed.Task.Result;
#pragma warning restore xUnit1031
            Assert.Equal(1000, close.Code);
            Assert.Equal("bye", close.Reason);
            Assert.True(close.WasClean);
            lock (lines)
            {
                Assert.Equal("open,text,binary,close 1000", string.Join(",", lines));
                Assert.Equal(Text, messages[0].Text);
                Assert.Equal(Bytes, messages[1].Data);
            }
            Assert.Single(handlerThreads.Distinct());
            Assert.NotEqual(Environment.CurrentManagedThreadId, handlerThreads.First());
        }

        [Fact]
        public void SynchronizationContextEchoThenCleanClose()
        {
            using var ui = new SingleThreadContext();
            var threads = new ConcurrentBag<int>();
            var lines = new List<string>();
            var closed = new ManualResetEventSlim();
            CloseEventArgs close = null;
            WebSocket ws = ui.Run(() =>
            {
                var s = new WebSocket(_peers.Echo.Url(), HostDriven(EventDelivery.SynchronizationContext));
                s.OnOpen += (o, e) => { threads.Add(Environment.CurrentManagedThreadId); lines.Add("open"); s.Send(Text); s.Send(Bytes); };
                s.OnMessage += (o, e) =>
                {
                    threads.Add(Environment.CurrentManagedThreadId);
                    lines.Add(e.IsText ? "text" : "binary");
                    if (!e.IsText) s.Close(1000, "ok");
                };
                s.OnClose += (o, e) => { threads.Add(Environment.CurrentManagedThreadId); close = e; lines.Add("close " + e.Code); closed.Set(); };
                return s;
            });
            Assert.True(closed.Wait(Pump.Limit));
            Assert.All(threads, id => Assert.Equal(ui.Thread.ManagedThreadId, id));
            Assert.Equal("open,text,binary,close 1000", string.Join(",", lines));
            Assert.True(close.WasClean);
            Assert.Equal("ok", close.Reason);
            ui.Run(() => { ws.Dispose(); return 0; });
        }

        [Theory]
        [InlineData("echo")]
        [InlineData("node")]
        [InlineData("python")]
        public async Task AsyncConnectReceiveClose(string peer)
        {
            using var cts = new CancellationTokenSource(Pump.Limit);
            using var ws = await WebSocket.ConnectAsync(_peers.ByName(peer).Url(), settings: HostDriven(), cancellationToken: cts.Token);
            Assert.True(ws.HostDriven);
            Assert.Equal(EventDelivery.BackgroundThread, ws.Delivery);
            Assert.Equal(ReadyState.Open, ws.ReadyState);
            for (int i = 0; i < 50; i++)
            {
                await ws.SendAsync("m" + i);
                Assert.Equal("m" + i, (await ws.ReceiveAsync(cts.Token)).Text);
            }
            ws.Send(Bytes);
            Assert.Equal(Bytes, (await ws.ReceiveAsync(cts.Token)).Data);
            CloseEventArgs close = await ws.CloseAsync(4000, "done", cts.Token);
            Assert.Equal(4000, close.Code);
            Assert.Equal("done", close.Reason);
            Assert.True(close.WasClean);
            Assert.Null(await ws.ReceiveAsync(cts.Token));
        }

        [Fact]
        public async Task AsyncConnectFailureCarriesTheCause()
        {
            var ex = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(
                () => WebSocket.ConnectAsync($"ws://127.0.0.1:{Pump.ClosedPort()}/", settings: HostDriven()));
            Assert.Contains("1006", ex.Message);
        }

        // A wait with a timeout on an idle host-driven loop ends on time: lws's timer pass
        // just before poll() once made a 20 ms wait last until its next timer (~30 s).
        [Fact]
        public void DispatchEventsKeepsToItsTimeoutWhenIdle()
        {
            foreach (string url in new[] { _peers.Echo.Url(), _peers.Node.Url("/slow-handshake") })
            {
                using var ws = new WebSocket(url, HostDriven());
                var log = new EventLog(ws);
                if (url == _peers.Echo.Url()) Pump.Until(ws, () => log.Lines.Count == 1, "open");
                for (int i = 0; i < 5; i++)
                {
                    var sw = System.Diagnostics.Stopwatch.StartNew();
                    Assert.Equal(0, ws.DispatchEvents(20));
                    Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"DispatchEvents(20) took {sw.Elapsed} ({url})");
                }
            }
        }

        // ---- Dispose in every state --------------------------------------------------

        private static void AssertDisposed(WebSocket ws, EventLog log)
        {
            int before = log.Lines.Count;
            Assert.Equal(ReadyState.Closed, ws.ReadyState);
            Assert.Equal(0, ws.DispatchEvents(100));
            Assert.Equal(before, log.Lines.Count);
            Assert.Throws<ObjectDisposedException>(() => ws.Send("x"));
            ws.Close(1000);
            ws.Dispose();
        }

        [Fact]
        public void DisposeWhileConnectingOpenClosingAndClosed()
        {
            var connecting = new WebSocket(_peers.Node.Url("/slow-handshake"), HostDriven());
            var log = new EventLog(connecting);
            connecting.DispatchEvents(0); // starts connecting (nothing moves outside DispatchEvents)
            connecting.Dispose();
            AssertDisposed(connecting, log);
            Assert.Empty(log.Lines);

            var open = new WebSocket(_peers.Echo.Url(), HostDriven());
            log = new EventLog(open);
            Pump.Until(open, () => log.Lines.Count == 1, "open");
            open.Send("pending");
            open.Dispose();
            AssertDisposed(open, log);

            var closing = new WebSocket(_peers.Echo.Url(), HostDriven());
            log = new EventLog(closing);
            Pump.Until(closing, () => log.Lines.Count == 1, "open");
            closing.Close(1000);
            closing.Dispose();
            AssertDisposed(closing, log);

            var closed = new WebSocket(_peers.Echo.Url(), HostDriven());
            log = new EventLog(closed);
            Pump.Until(closed, () => log.Lines.Count == 1, "open");
            closed.Close(1000);
            Assert.True(Pump.ToClose(closed).WasClean);
            closed.Dispose();
            AssertDisposed(closed, log);

            // Never dispatched at all.
            var never = new WebSocket(_peers.Echo.Url(), HostDriven());
            never.Dispose();
            Assert.Equal(ReadyState.Closed, never.ReadyState);
        }

        [Theory]
        [InlineData("open")]
        [InlineData("message")]
        [InlineData("close")]
        public void DisposeFromInsideAHandler(string where)
        {
            var ws = new WebSocket(_peers.Echo.Url(), HostDriven());
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
        public void DisposeWhileTheDeliveryThreadWaits()
        {
            // BackgroundThread: the delivery thread sits in the library doing the I/O;
            // Dispose from another thread must wait for it and free everything.
            var ws = new WebSocket(_peers.Echo.Url(), HostDriven(EventDelivery.BackgroundThread));
            var opened = new ManualResetEventSlim();
            int eventsAfterDispose = 0;
            bool disposed = false;
            ws.OnOpen += (s, e) => opened.Set();
            ws.OnMessage += (s, e) => { if (Volatile.Read(ref disposed)) Interlocked.Increment(ref eventsAfterDispose); };
            ws.Connect();
            Assert.True(opened.Wait(Pump.Limit));
            for (int i = 0; i < 20; i++) ws.Send("x" + i);
            ws.Dispose();
            Volatile.Write(ref disposed, true);
            Assert.Equal(ReadyState.Closed, ws.ReadyState);
            Assert.Throws<ObjectDisposedException>(() => ws.Send("late"));
            Assert.Equal(0, Volatile.Read(ref eventsAfterDispose));
            ws.Dispose();
        }
    }
}
