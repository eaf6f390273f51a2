using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Polyws.Tests
{
    /// <summary>
    /// The node peer's /flood-status, asked over a control socket with its own loop:
    /// the state of the latest /flood (how many messages it wrote, whether its writes
    /// are blocked right now because the client does not read).
    /// </summary>
    public sealed class FloodControl : IDisposable
    {
        // Far more than the kernel's loopback buffers (tcp_rmem max 32 MiB here) plus
        // the receive limit: the server must run out of room long before it is done.
        public const int Size = 64 * 1024;
        public const ulong Limit = 1 << 20;
        // What the library may hold at most: the limit, one message, one transport read.
        public const long MostUndelivered = (long)Limit + Size + 256 * 1024;
        private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

        private readonly WebSocket _ws;
        private string _answer;
        private string _lastAnswer;

        public FloodControl(PeerServer node)
        {
            _ws = new WebSocket(node.Url("/flood-status"));
            _ws.OnMessage += (s, e) => _answer = e.Text;
            Pump.Until(_ws, () => _ws.ReadyState == ReadyState.Open, "the control socket to open");
        }

        public static string FloodPath(int count) => $"/flood?count={count}&size={Size}";

        public JsonElement Ask()
        {
            _answer = null;
            _ws.Send("status?");
            Pump.Until(_ws, () => _answer != null, "the flood's status");
            _lastAnswer = _answer;
            using var doc = JsonDocument.Parse(_answer);
            return doc.RootElement.Clone();
        }

        /// <summary>
        /// Asks until the flood of <paramref name="count"/> messages is blocked: stalled
        /// with messages left to write, no progress over three answers in a row, while
        /// <paramref name="clientStopped"/> holds (the client side says it stopped
        /// reading). <paramref name="observe"/> runs after each answer. A stall alone is
        /// not enough: the server's own buffer also fills now and then while the client
        /// reads at full speed.
        /// </summary>
        public void UntilBlocked(int count, Func<bool> clientStopped, Action observe)
        {
            var waited = Stopwatch.StartNew();
            int lastSent = -1, still = 0;
            for (int asked = 0; asked < 1_000_000 && waited.Elapsed < HangGuard; asked++)
            {
                JsonElement s = Ask();
                observe();
                if (s.GetProperty("count").GetInt32() != count) continue; // the flood has not begun
                Assert.False(s.GetProperty("done").GetBoolean(), "the flood finished without ever being held back");
                int sent = s.GetProperty("sent").GetInt32();
                bool stalled = s.GetProperty("stalled").GetBoolean() && clientStopped();
                still = stalled && sent == lastSent ? still + 1 : 0;
                lastSent = sent;
                if (still == 2)
                {
                    Assert.True(sent < count, $"the flood blocked only after writing all {count} messages");
                    return;
                }
            }
            Assert.Fail($"the flood's writes never blocked (last status {_lastAnswer}, client stopped: {clientStopped()})");
        }

        /// <summary>
        /// Checks what a flood delivered once consumed: every sequence number in order,
        /// then the server's summary (its ping answered), which <paramref name="summary"/> is.
        /// </summary>
        public static void CheckDelivered(IReadOnlyList<WebSocketMessage> binary, string summary, int count)
        {
            Assert.Equal(count, binary.Count);
            for (int i = 0; i < binary.Count; i++)
            {
                byte[] d = binary[i].Data;
                Assert.Equal(Size, d.Length);
                int sequence = d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3];
                if (sequence != i) Assert.Fail($"message {i} carries sequence number {sequence}");
            }
            Assert.NotNull(summary);
            using var doc = JsonDocument.Parse(summary);
            Assert.Equal("flood-ping", doc.RootElement.GetProperty("pong").GetString());
            Assert.Equal(count, doc.RootElement.GetProperty("sent").GetInt32());
            Assert.True(doc.RootElement.GetProperty("stalls").GetInt32() >= 1);
        }

        public void Dispose() => _ws.Dispose();
    }

    /// <summary>
    /// Receive flow control against a flooding server (node peer /flood): what the
    /// library and the binding hold while nobody consumes stays bounded, the server's
    /// writes block, and everything arrives in order once consumed.
    /// </summary>
    [Collection("peers")]
    public class BackpressureTests
    {
        private readonly PeersFixture _peers;
        public BackpressureTests(PeersFixture peers) => _peers = peers;

        [Fact]
        public void ReceiveSettingsAreChecked()
        {
            var limit = Assert.ThrowsAny<ArgumentException>(() =>
                new WebSocket(_peers.Echo.Url(), new WebSocketSettings { ReceiveLimit = 0 }));
            Assert.Equal(nameof(WebSocketSettings.ReceiveLimit), limit.ParamName);
            var capacity = Assert.Throws<ArgumentOutOfRangeException>(() =>
                new WebSocketSettings { ReceiveQueueCapacity = 0 });
            Assert.Equal(nameof(WebSocketSettings.ReceiveQueueCapacity), capacity.ParamName);
            Assert.Equal(256, new WebSocketSettings().ReceiveQueueCapacity);
            Assert.Equal(8UL << 20, WebSocket.DefaultReceiveLimit);
        }

        [Fact]
        public void ReceiveLimitStopsReadingWhileNothingIsDispatched()
        {
            const int count = 1200;
            using var control = new FloodControl(_peers.Node);
            using var ws = new WebSocket(_peers.Node.Url(FloodControl.FloodPath(count)),
                new WebSocketSettings { ReceiveLimit = FloodControl.Limit });
            var log = new EventLog(ws);
            long most = 0;
            // No DispatchEvents until the server is stalled.
            control.UntilBlocked(count, () => ws.UndeliveredAmount >= (long)FloodControl.Limit,
                () => most = Math.Max(most, ws.UndeliveredAmount));
            Assert.InRange(most, 1, FloodControl.MostUndelivered);
            Assert.InRange(ws.UndeliveredAmount, (long)FloodControl.Limit, FloodControl.MostUndelivered);
            Assert.Empty(log.Lines);

            Pump.Until(ws, () => log.Close != null, "the flood to be consumed");
            var binary = log.Messages.FindAll(m => !m.IsText);
            var text = log.Messages.FindAll(m => m.IsText);
            Assert.Single(text);
            FloodControl.CheckDelivered(binary, text[0].Text, count);
            Assert.Equal(1000, log.Close.Code);
            Assert.Equal("done", log.Close.Reason);
            Assert.True(log.Close.WasClean);
            Assert.Equal(0, ws.UndeliveredAmount);
        }

        [Fact]
        public async Task ReceiveAsyncReadsOnlyAsFastAsItIsAwaited()
        {
            const int count = 1201;
            const int capacity = 8; // 8 messages of 64 KiB: the count bound is reached first
            using var control = new FloodControl(_peers.Node);
            var settings = new WebSocketSettings { ReceiveLimit = FloodControl.Limit, ReceiveQueueCapacity = capacity };
            using var ws = await WebSocket.ConnectAsync(_peers.Node.Url(FloodControl.FloodPath(count)), settings: settings);
            int mostQueued = 0;
            long mostUndelivered = 0;
            // The core stops reading at the limit and reads again only at half of it.
            // When the binding's thread is slow to fill the managed queue, the core may
            // reach the limit first; the binding then takes messages until the queue is
            // full and pauses the socket, which may leave the core stopped anywhere
            // between half the limit and the limit.
            control.UntilBlocked(count, () => ws.UndeliveredAmount >= (long)FloodControl.Limit / 2, () =>
            {
                mostQueued = Math.Max(mostQueued, ws.QueuedMessages);
                mostUndelivered = Math.Max(mostUndelivered, ws.UndeliveredAmount);
            });
            // The managed queue filled up to its capacity, then the socket was paused and
            // the library held the rest up to its limit.
            Assert.InRange(mostQueued, 1, capacity);
            Assert.Equal(capacity, ws.QueuedMessages);
            Assert.True(ws.Backlog.Paused);
            Assert.InRange(mostUndelivered, 1, FloodControl.MostUndelivered);
            Assert.InRange(ws.UndeliveredAmount, (long)FloodControl.Limit / 2, FloodControl.MostUndelivered);

            var binary = new List<WebSocketMessage>();
            string summary = null;
            using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await foreach (WebSocketMessage m in ws.ReceiveAllAsync(hangGuard.Token))
            {
                if (m.IsText) summary = m.Text;
                else binary.Add(m);
                Assert.InRange(ws.QueuedMessages, 0, capacity);
            }
            FloodControl.CheckDelivered(binary, summary, count);
            CloseEventArgs close = await ws.Closed;
            Assert.Equal(1000, close.Code);
            Assert.Equal("done", close.Reason);
            Assert.True(close.WasClean);
            Assert.Equal(0, ws.Backlog.Messages);
            Assert.False(ws.Backlog.Paused);
        }

        [Fact]
        public void SynchronizationContextPostsAreBounded()
        {
            // The context's thread is kept busy: the binding's thread takes events and
            // posts them, but pauses the socket once ReceiveLimit bytes wait there (the
            // message count allowed is far higher: the byte bound is reached first).
            const int count = 1202;
            using var control = new FloodControl(_peers.Node);
            using var ui = new SingleThreadContext();
            var busy = new ManualResetEventSlim();
            var binary = new List<WebSocketMessage>();
            string summary = null;
            CloseEventArgs close = null;
            var closed = new ManualResetEventSlim();
            var settings = new WebSocketSettings
            {
                Delivery = EventDelivery.SynchronizationContext,
                ReceiveLimit = FloodControl.Limit,
                ReceiveQueueCapacity = 1000,
            };
            WebSocket ws = ui.Run(() =>
            {
                var s = new WebSocket(_peers.Node.Url(FloodControl.FloodPath(count)), settings);
                s.OnMessage += (o, e) =>
                {
                    if (e.IsText) summary = e.Text;
                    else binary.Add(e.Message);
                };
                s.OnClose += (o, e) => { close = e; closed.Set(); };
                return s;
            });
            try
            {
                ui.Post(_ => busy.Wait(), null);
                ulong mostPosted = 0;
                // The core stops reading at the limit and reads again only at half
                // of it: when the binding's thread pauses the socket after taking
                // some messages, the core may stay stopped anywhere in between.
                control.UntilBlocked(count, () => ws.UndeliveredAmount >= (long)FloodControl.Limit / 2,
                    () => mostPosted = Math.Max(mostPosted, ws.Backlog.Bytes));
                Assert.InRange(mostPosted, 1UL, FloodControl.Limit + FloodControl.Size);
                Assert.InRange(ws.Backlog.Messages, 1, (int)(FloodControl.Limit / FloodControl.Size) + 1);
                Assert.True(ws.Backlog.Paused);
                Assert.InRange(ws.UndeliveredAmount, (long)FloodControl.Limit / 2, FloodControl.MostUndelivered);

                busy.Set();
                Assert.True(closed.Wait(TimeSpan.FromSeconds(60)), "the flood was not consumed");
                FloodControl.CheckDelivered(ui.Run(() => binary), ui.Run(() => summary), count);
                Assert.Equal(1000, close.Code);
                Assert.True(close.WasClean);
            }
            finally
            {
                busy.Set();
                ui.Run(() => { ws.Dispose(); return 0; });
            }
        }

        [Fact]
        public async Task CloseReadsOnPastHeldMessages()
        {
            // A consumer that stops reading and closes: the messages held back are
            // dropped (none is delivered after close) and the closing handshake completes.
            const int count = 1203;
            using var control = new FloodControl(_peers.Node);
            var settings = new WebSocketSettings { ReceiveLimit = FloodControl.Limit, ReceiveQueueCapacity = 4 };
            using var ws = await WebSocket.ConnectAsync(_peers.Node.Url(FloodControl.FloodPath(count)), settings: settings);
            control.UntilBlocked(count, () => ws.Backlog.Paused, () => { });
            Assert.True(ws.Backlog.Paused);

            using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            CloseEventArgs close = await ws.CloseAsync(1000, "enough", hangGuard.Token);
            Assert.Equal(1000, close.Code);
            Assert.Equal("enough", close.Reason);
            Assert.True(close.WasClean);
            Assert.False(ws.Backlog.Paused);
            int queued = 0;
            while (await ws.ReceiveAsync(hangGuard.Token) != null) queued++;
            Assert.Equal(4, queued); // what was queued before close() stays readable
        }
    }
}
