// C# benchmark client, in the one calling convention of bench/ (see
// notes in bench-clients): 
//
//   PolywsBench --client polyws|clientwebsocket [--host-driven] URL MODE SECONDS
//   (or the launchers ./cs-polyws and ./cs-clientwebsocket: [--host-driven] URL MODE SECONDS)
//
// MODE: rtt (32-byte text, one in flight), mib (1 MiB binary, one in flight),
// pipeline (64-byte binary, up to 64 in flight), connect (open + clean close
// cycles). BENCH_WARMUP seconds (default 1) of the same mode run first,
// uncounted. Every echo is checked for its size (and text in rtt).
// Output: one JSON line {"ops": N, "seconds": S, "cpu_seconds": C}; errors go
// to stderr with a non-zero exit.
//
// polyws: events dispatched on the main thread with DispatchEvents(timeout)
// (the game-loop path), sends from the handlers. --host-driven (polyws only):
// WebSocketSettings.HostDriven, so DispatchEvents does the I/O itself. ClientWebSocket: async
// SendAsync/ReceiveAsync, as a .NET service would use it.
using System;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

static class Program
{
    const int PipelineDepth = 64;

    static int Main(string[] args)
    {
        try
        {
            bool hostDriven = args.Length == 6 && args[2] == "--host-driven";
            if (hostDriven) args = new[] { args[0], args[1], args[3], args[4], args[5] };
            if (args.Length != 5 || args[0] != "--client" || (hostDriven && args[1] != "polyws"))
                throw new ArgumentException("usage: PolywsBench --client polyws|clientwebsocket [--host-driven] URL MODE SECONDS");
            string client = args[1], url = args[2], mode = args[3];
            double seconds = double.Parse(args[4], CultureInfo.InvariantCulture);
            double warmup = double.Parse(Environment.GetEnvironmentVariable("BENCH_WARMUP") ?? "1", CultureInfo.InvariantCulture);
            if (mode != "rtt" && mode != "mib" && mode != "pipeline" && mode != "connect")
                throw new ArgumentException("unknown mode " + mode);
            Result r = client switch
            {
                "polyws" => PolywsClient.Run(url, mode, warmup, seconds, hostDriven),
                "clientwebsocket" => ClientWebSocketClient.Run(url, mode, warmup, seconds).GetAwaiter().GetResult(),
                _ => throw new ArgumentException("unknown client " + client),
            };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"ops\": {r.Ops}, \"seconds\": {r.Seconds:F6}, \"cpu_seconds\": {r.CpuSeconds:F6}}}"));
            return 0;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine("bench: " + ex.Message);
            return 1;
        }
    }
}

readonly record struct Result(long Ops, double Seconds, double CpuSeconds);

/// <summary>Wall and CPU time of one measured phase.</summary>
sealed class Clock
{
    readonly long _start = Stopwatch.GetTimestamp();
    readonly TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;
    public long Deadline;
    public Clock(double seconds) => Deadline = _start + (long)(seconds * Stopwatch.Frequency);
    public bool Over => Stopwatch.GetTimestamp() >= Deadline;
    public Result Finish(long ops) => new Result(ops,
        (Stopwatch.GetTimestamp() - _start) / (double)Stopwatch.Frequency,
        (Process.GetCurrentProcess().TotalProcessorTime - _cpu).TotalSeconds);
}

static class Payloads
{
    public static readonly string Text32 = "abcdefghijklmnopqrstuvwxyz012345";
    public static readonly byte[] Mib = MakeBytes(1 << 20);
    public static readonly byte[] Small = MakeBytes(64);
    static byte[] MakeBytes(int n) { var b = new byte[n]; for (int i = 0; i < n; i++) b[i] = (byte)i; return b; }
    public static int Size(string mode) => mode == "rtt" ? 32 : mode == "mib" ? 1 << 20 : 64;
}

static class PolywsClient
{
    static Polyws.WebSocketSettings _settings;

    public static Result Run(string url, string mode, double warmup, double seconds, bool hostDriven)
    {
        _settings = new Polyws.WebSocketSettings { HostDriven = hostDriven };
        if (mode == "connect")
        {
            Connect(url, warmup, out _);
            Connect(url, seconds, out Result r);
            return r;
        }
        using var ws = new Polyws.WebSocket(url, _settings);
        bool open = false;
        string failure = null;
        ws.OnOpen += (s, e) => open = true;
        ws.OnError += (s, e) => failure = e.Message;
        ws.OnClose += (s, e) => failure ??= $"closed {e.Code}";
        WaitFor(ws, () => open || failure != null, 10);
        if (failure != null) throw new Exception(failure);

        var phase = new Phase(ws, mode);
        ws.OnMessage += (s, e) => phase.OnEcho(e.Message);
        phase.Run(warmup);
        Result result = phase.Run(seconds);
        ws.Close(1000);
        return result;
    }

    /// <summary>One measured (or warm-up) period of echoes on the open socket.</summary>
    sealed class Phase
    {
        readonly Polyws.WebSocket _ws;
        readonly string _mode;
        readonly int _size;
        Clock _clock;
        long _ops;
        int _inFlight;
        bool _stopped;
        Result _result;
        public string Failure;

        public Phase(Polyws.WebSocket ws, string mode)
        {
            _ws = ws;
            _mode = mode;
            _size = Payloads.Size(mode);
        }

        void SendOne()
        {
            if (_mode == "rtt") _ws.Send(Payloads.Text32);
            else _ws.Send(_mode == "mib" ? Payloads.Mib : Payloads.Small);
            _inFlight++;
        }

        public Result Run(double seconds)
        {
            _ops = 0;
            _stopped = false;
            _clock = new Clock(seconds);
            int depth = _mode == "pipeline" ? 64 : 1;
            for (int i = 0; i < depth; i++) SendOne();
            WaitFor(_ws, () => (_stopped && _inFlight == 0) || Failure != null, seconds + 30);
            if (Failure != null) throw new Exception(Failure);
            return _result;
        }

        public void OnEcho(Polyws.WebSocketMessage m)
        {
            _inFlight--;
            if (m.Data.Length != _size || (_mode == "rtt" && m.Text != Payloads.Text32))
            {
                Failure = $"echo of {m.Data.Length} bytes, expected {_size}";
                return;
            }
            if (_stopped) return; // draining what was in flight at the deadline
            _ops++;
            if (_clock.Over)
            {
                _stopped = true;
                _result = _clock.Finish(_ops);
                return;
            }
            SendOne();
        }
    }

    static void Connect(string url, double seconds, out Result result)
    {
        var clock = new Clock(seconds);
        long ops = 0;
        while (!clock.Over)
        {
            using var ws = new Polyws.WebSocket(url, _settings);
            Polyws.CloseEventArgs close = null;
            ws.OnOpen += (s, e) => ws.Close(1000);
            ws.OnClose += (s, e) => close = e;
            WaitFor(ws, () => close != null, 10);
            if (!close.WasClean || close.Code != 1000) throw new Exception($"connect cycle closed {close.Code}");
            ops++;
        }
        result = clock.Finish(ops);
    }

    static void WaitFor(Polyws.WebSocket ws, Func<bool> done, double limitSeconds)
    {
        long end = Stopwatch.GetTimestamp() + (long)(limitSeconds * Stopwatch.Frequency);
        while (!done())
        {
            if (Stopwatch.GetTimestamp() > end) throw new TimeoutException("no progress");
            ws.DispatchEvents(100);
        }
    }
}

static class ClientWebSocketClient
{
    public static async Task<Result> Run(string url, string mode, double warmup, double seconds)
    {
        var uri = new Uri(url);
        if (mode == "connect")
        {
            await Connect(uri, warmup);
            return await Connect(uri, seconds);
        }
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(uri, CancellationToken.None);
        var buffer = new byte[(1 << 20) + 1024];
        if (mode == "pipeline")
        {
            await Pipeline(ws, buffer, warmup);
            Result p = await Pipeline(ws, buffer, seconds);
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            return p;
        }
        await OneInFlight(ws, buffer, mode, warmup);
        Result r = await OneInFlight(ws, buffer, mode, seconds);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        return r;
    }

    static readonly byte[] Text32Bytes = Encoding.UTF8.GetBytes(Payloads.Text32);

    static async Task<(int, WebSocketMessageType)> ReceiveMessage(ClientWebSocket ws, byte[] buffer)
    {
        int n = 0;
        while (true)
        {
            ValueWebSocketReceiveResult r = await ws.ReceiveAsync(new Memory<byte>(buffer, n, buffer.Length - n), CancellationToken.None);
            if (r.MessageType == WebSocketMessageType.Close) throw new Exception("server closed");
            n += r.Count;
            if (r.EndOfMessage) return (n, r.MessageType);
        }
    }

    static async Task<Result> OneInFlight(ClientWebSocket ws, byte[] buffer, string mode, double seconds)
    {
        var clock = new Clock(seconds);
        long ops = 0;
        bool rtt = mode == "rtt";
        int size = Payloads.Size(mode);
        while (!clock.Over)
        {
            if (rtt) await ws.SendAsync(Text32Bytes, WebSocketMessageType.Text, true, CancellationToken.None);
            else await ws.SendAsync(Payloads.Mib, WebSocketMessageType.Binary, true, CancellationToken.None);
            (int n, WebSocketMessageType type) = await ReceiveMessage(ws, buffer);
            if (n != size) throw new Exception($"echo of {n} bytes, expected {size}");
            if (rtt && (type != WebSocketMessageType.Text || !buffer.AsSpan(0, n).SequenceEqual(Text32Bytes)))
                throw new Exception("rtt echo differs");
            ops++;
        }
        return clock.Finish(ops);
    }

    static async Task<Result> Pipeline(ClientWebSocket ws, byte[] buffer, double seconds)
    {
        // One sender, one receiver (ClientWebSocket allows one of each at a time);
        // the window keeps at most 64 messages in flight.
        var window = new SemaphoreSlim(PipelineDepthValue, PipelineDepthValue);
        var clock = new Clock(seconds);
        long ops = 0, sent = 0;
        bool stop = false;
        Task sender = Task.Run(async () =>
        {
            while (!Volatile.Read(ref stop))
            {
                await window.WaitAsync();
                if (Volatile.Read(ref stop)) { window.Release(); break; }
                await ws.SendAsync(Payloads.Small, WebSocketMessageType.Binary, true, CancellationToken.None);
                Interlocked.Increment(ref sent);
            }
        });
        Result result = default;
        while (true)
        {
            (int n, _) = await ReceiveMessage(ws, buffer);
            if (n != 64) throw new Exception($"echo of {n} bytes, expected 64");
            long received = ++ops;
            window.Release();
            if (!stop && clock.Over)
            {
                result = clock.Finish(received);
                Volatile.Write(ref stop, true);
                window.Release(); // wake the sender if it waits
                await sender;
                // Drain what is still in flight (uncounted).
                while (received < Interlocked.Read(ref sent))
                {
                    (n, _) = await ReceiveMessage(ws, buffer);
                    received++;
                }
                return result;
            }
        }
    }

    const int PipelineDepthValue = 64;

    static async Task<Result> Connect(Uri uri, double seconds)
    {
        var clock = new Clock(seconds);
        long ops = 0;
        while (!clock.Over)
        {
            using var ws = new ClientWebSocket();
            await ws.ConnectAsync(uri, CancellationToken.None);
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            if (ws.CloseStatus != WebSocketCloseStatus.NormalClosure) throw new Exception("close was not 1000");
            ops++;
        }
        return clock.Finish(ops);
    }
}
