using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Polyws.Tests
{
    /// <summary>One echo-capable server process on loopback, started for the tests.</summary>
    public sealed class PeerServer : IDisposable
    {
        private readonly Process _process;
        public string Name { get; }
        public int Port { get; }
        public string Url(string path = "/echo") => $"ws://127.0.0.1:{Port}{path}";

        public PeerServer(string name, string file, params string[] args)
        {
            Name = name;
            var psi = new ProcessStartInfo(file)
            {
                RedirectStandardOutput = true,
                RedirectStandardInput = true,
                RedirectStandardError = false,
                UseShellExecute = false,
            };
            foreach (var a in args) psi.ArgumentList.Add(a);
            _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + file);
            // "PORT n" is the first line; bounded wait.
            Task<string> line = _process.StandardOutput.ReadLineAsync();
            if (!line.Wait(TimeSpan.FromSeconds(20)) || line.Result == null || !line.Result.StartsWith("PORT "))
            {
                try { _process.Kill(true); } catch { }
                throw new InvalidOperationException($"{name}: no PORT line (got '{(line.IsCompleted ? line.Result : "<timeout>")}')");
            }
            Port = int.Parse(line.Result.Substring(5).Trim());
            // Drain the report lines so the peer never blocks on a full pipe.
            _ = Task.Run(async () =>
            {
                try { while (await _process.StandardOutput.ReadLineAsync() != null) { } } catch { }
            });
        }

        public void Dispose()
        {
            try { _process.StandardInput.Close(); } catch { }
            try { if (!_process.WaitForExit(2000)) _process.Kill(true); } catch { }
            _process.Dispose();
        }

        public override string ToString() => Name;
    }

    /// <summary>The three peers, started once for the whole run.</summary>
    public sealed class PeersFixture : IDisposable
    {
        public PeerServer Echo { get; }
        public PeerServer Node { get; }
        public PeerServer Python { get; }

        public static string Env(string name)
        {
            string v = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(v)) throw new InvalidOperationException(name + " is not set (CTest sets it)");
            return v;
        }

        public PeersFixture()
        {
            Echo = new PeerServer("polyws-echo", Env("POLYWS_ECHO"), "--port", "0");
            Node = new PeerServer("node ws", "node", Path.Combine(Env("POLYWS_PEERS"), "node_server.js"), "--port", "0");
            Python = new PeerServer("python websockets", "/usr/bin/python3", Path.Combine(Env("POLYWS_PEERS"), "py_server.py"), "--port", "0");
        }

        public PeerServer ByName(string name) => name switch
        {
            "echo" => Echo,
            "node" => Node,
            "python" => Python,
            _ => throw new ArgumentException(name),
        };

        public void Dispose()
        {
            Echo.Dispose();
            Node.Dispose();
            Python.Dispose();
        }
    }

    [CollectionDefinition("peers")]
    public sealed class PeersCollection : ICollectionFixture<PeersFixture>
    {
    }

    /// <summary>Helpers shared by the tests: bounded pumping and an event log.</summary>
    public static class Pump
    {
        public static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

        /// <summary>Dispatches until <paramref name="done"/> holds; fails after <see cref="Limit"/>.</summary>
        public static void Until(WebSocket ws, Func<bool> done, string what)
        {
            var sw = Stopwatch.StartNew();
            while (!done())
            {
                if (sw.Elapsed > Limit) Assert.Fail("timed out waiting for " + what);
                ws.DispatchEvents(20);
            }
        }

        /// <summary>Dispatches until the final close event; returns it.</summary>
        public static CloseEventArgs ToClose(WebSocket ws)
        {
            CloseEventArgs close = null;
            EventHandler<CloseEventArgs> h = (s, e) => close = e;
            ws.OnClose += h;
            try
            {
                Until(ws, () => close != null, "the close event");
            }
            finally
            {
                ws.OnClose -= h;
            }
            return close;
        }

        /// <summary>An unused loopback port (bound then released: nothing listens there).</summary>
        public static int ClosedPort()
        {
            var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            l.Start();
            int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }
    }

    /// <summary>Records every event of a socket as a line, in order.</summary>
    public sealed class EventLog
    {
        public readonly List<string> Lines = new List<string>();
        public readonly List<WebSocketMessage> Messages = new List<WebSocketMessage>();
        public CloseEventArgs Close;
        public string Error;
        public ReadyState StateAtError = (ReadyState)(-1);
        public ReadyState StateAtOpen = (ReadyState)(-1);
        public ReadyState StateAtClose = (ReadyState)(-1);

        public EventLog(WebSocket ws)
        {
            ws.OnOpen += (s, e) => { StateAtOpen = ws.ReadyState; Lines.Add("open"); };
            ws.OnMessage += (s, e) => { Messages.Add(e.Message); Lines.Add(e.IsText ? "text" : "binary"); };
            ws.OnError += (s, e) => { StateAtError = ws.ReadyState; Error = e.Message; Lines.Add("error"); };
            ws.OnClose += (s, e) => { StateAtClose = ws.ReadyState; Close = e; Lines.Add("close " + e.Code); };
        }

        public override string ToString() => string.Join(",", Lines);
    }
}
