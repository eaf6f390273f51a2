using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Polyws.Tests
{
    /// <summary>A single-threaded SynchronizationContext, as a UI framework has.</summary>
    public sealed class SingleThreadContext : SynchronizationContext, IDisposable
    {
        private readonly BlockingCollection<(SendOrPostCallback, object)> _work = new BlockingCollection<(SendOrPostCallback, object)>();
        public Thread Thread { get; }

        public SingleThreadContext()
        {
            Thread = new Thread(() =>
            {
                SetSynchronizationContext(this);
                foreach (var (cb, state) in _work.GetConsumingEnumerable()) cb(state);
            }) { IsBackground = true, Name = "test UI thread" };
            Thread.Start();
        }

        public override void Post(SendOrPostCallback d, object state) => _work.Add((d, state));

        /// <summary>Runs <paramref name="f"/> on the context's thread and waits for it.</summary>
        public T Run<T>(Func<T> f)
        {
            var tcs = new TaskCompletionSource<T>();
            Post(_ => { try { tcs.SetResult(f()); } catch (Exception ex) { tcs.SetException(ex); } }, null);
            if (!tcs.Task.Wait(Pump.Limit)) throw new TimeoutException();
            return tcs.Task.Result;
        }

        public void Dispose() => _work.CompleteAdding();
    }

    /// <summary>Event delivery modes other than manual dispatch, and the async API.</summary>
    [Collection("peers")]
    public class DeliveryTests
    {
        private readonly PeersFixture _peers;
        public DeliveryTests(PeersFixture peers) => _peers = peers;

        [Fact]
        public void SynchronizationContextRunsEveryEventOnItsThread()
        {
            using var ui = new SingleThreadContext();
            var threads = new ConcurrentBag<int>();
            var lines = new List<string>();
            var closed = new ManualResetEventSlim();
            ReadyState atOpen = (ReadyState)(-1);
            WebSocket ws = ui.Run(() =>
            {
                var s = new WebSocket(_peers.Echo.Url(), new WebSocketSettings { Delivery = EventDelivery.SynchronizationContext });
                s.OnOpen += (o, e) => { threads.Add(Environment.CurrentManagedThreadId); atOpen = s.ReadyState; lines.Add("open"); s.Send("x"); s.Send(new byte[3]); };
                s.OnMessage += (o, e) =>
                {
                    threads.Add(Environment.CurrentManagedThreadId);
                    lines.Add(e.IsText ? "text" : "binary");
                    if (!e.IsText) s.Close(1000, "ok");
                };
                s.OnClose += (o, e) => { threads.Add(Environment.CurrentManagedThreadId); lines.Add("close " + e.Code); closed.Set(); };
                Assert.Throws<InvalidOperationException>(() => s.DispatchEvents());
                return s;
            });
            Assert.True(closed.Wait(Pump.Limit));
            Assert.Equal(ReadyState.Open, atOpen);
            Assert.All(threads, id => Assert.Equal(ui.Thread.ManagedThreadId, id));
            Assert.Equal("open,text,binary,close 1000", string.Join(",", lines));
            ui.Run(() => { ws.Dispose(); return 0; });
        }

        [Fact]
        public void SynchronizationContextStateFollowsDispatchNotTheNetwork()
        {
            // The UI thread is kept busy until the socket is surely open on the
            // network; readyState must still read CONNECTING until open runs there.
            using var ui = new SingleThreadContext();
            var opened = new ManualResetEventSlim();
            WebSocket ws = null;
            ReadyState beforeDispatch = ui.Run(() =>
            {
                ws = new WebSocket(_peers.Echo.Url(), new WebSocketSettings { Delivery = EventDelivery.SynchronizationContext });
                ws.OnOpen += (o, e) => opened.Set();
                Thread.Sleep(500); // the handshake completes meanwhile (a fixed pause is the point here)
                return ws.ReadyState;
            });
            Assert.Equal(ReadyState.Connecting, beforeDispatch);
            Assert.True(opened.Wait(Pump.Limit));
            Assert.Equal(ReadyState.Open, ui.Run(() => ws.ReadyState));
            ui.Run(() => { ws.Dispose(); return 0; });
        }

        [Fact]
        public void BackgroundThreadNeedsConnect()
        {
            var settings = new WebSocketSettings { Delivery = EventDelivery.BackgroundThread };
            using var ws = new WebSocket(_peers.Echo.Url(), settings);
            var opened = new ManualResetEventSlim();
            var closed = new TaskCompletionSource<CloseEventArgs>();
            int handlerThread = 0;
            ws.OnOpen += (s, e) => { handlerThread = Environment.CurrentManagedThreadId; opened.Set(); };
            ws.OnClose += (s, e) => closed.TrySetResult(e);
            Assert.False(opened.Wait(300)); // nothing before Connect()
            ws.Connect();
            Assert.Throws<InvalidOperationException>(() => ws.Connect());
            Assert.True(opened.Wait(Pump.Limit));
            Assert.NotEqual(Environment.CurrentManagedThreadId, handlerThread);
            ws.Close(1000);
#pragma warning disable xUnit1031 // a bounded wait
            Assert.True(closed.Task.Wait(Pump.Limit));
            Assert.True(closed.Task.Result.WasClean);
#pragma warning restore xUnit1031
        }

        [Theory]
        [InlineData("echo")]
        [InlineData("node")]
        [InlineData("python")]
        public async Task ConnectReceiveClose(string peer)
        {
            using var ws = await WebSocket.ConnectAsync(_peers.ByName(peer).Url());
            Assert.Equal(ReadyState.Open, ws.ReadyState);
            await ws.SendAsync("one");
            ws.Send(new byte[] { 1, 2, 3 });
            WebSocketMessage m1 = await ws.ReceiveAsync();
            WebSocketMessage m2 = await ws.ReceiveAsync();
            Assert.Equal("one", m1.Text);
            Assert.Equal(new byte[] { 1, 2, 3 }, m2.Data);
            CloseEventArgs close = await ws.CloseAsync(1000, "done");
            Assert.True(close.WasClean);
            Assert.Null(await ws.ReceiveAsync()); // the end
        }

        [Fact]
        public async Task ReceiveAllEndsAtClose()
        {
            using var ws = await WebSocket.ConnectAsync(_peers.Node.Url("/send?count=5&size=100&type=binary"));
            int n = 0;
            using var cts = new CancellationTokenSource(Pump.Limit);
            await foreach (var m in ws.ReceiveAllAsync(cts.Token))
            {
                Assert.Equal(100, m.Data.Length);
                n++;
            }
            Assert.Equal(5, n);
            Assert.Equal(1000, (await ws.Closed).Code);
        }

        [Fact]
        public async Task ConnectAsyncFailureCarriesTheCause()
        {
            var ex = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(
                () => WebSocket.ConnectAsync($"ws://127.0.0.1:{Pump.ClosedPort()}/"));
            Assert.Contains("1006", ex.Message);
        }

        [Fact]
        public async Task ConnectAsyncCanBeCancelled()
        {
            using var cts = new CancellationTokenSource(200);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(
                () => WebSocket.ConnectAsync(_peers.Node.Url("/slow-handshake"), cancellationToken: cts.Token));
        }

        [Fact]
        public async Task ReceiveAsyncCanBeCancelledAndNeedsTheQueue()
        {
            using var ws = await WebSocket.ConnectAsync(_peers.Echo.Url());
            using var cts = new CancellationTokenSource(100);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ws.ReceiveAsync(cts.Token));
            ws.Send("still works");
            Assert.Equal("still works", (await ws.ReceiveAsync()).Text);

            using var manual = new WebSocket(_peers.Echo.Url());
            InvalidOperationException needsQueue = null;
            try { _ = manual.ReceiveAsync(); } catch (InvalidOperationException ex) { needsQueue = ex; }
            Assert.NotNull(needsQueue); // thrown at the call, not by the task
        }
    }
}
