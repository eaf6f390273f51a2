// Mono smoke test: the netstandard2.1 Polyws.dll (the assembly Unity loads),
// used from a program compiled by Mono's own compiler (mcs) and run by the
// Mono runtime, talking to polyws-echo. Manual dispatch, as a game loop does.
using System;
using System.Diagnostics;
using Polyws;

public static class Smoke
{
    public static int Main(string[] args)
    {
        var ws = new WebSocket(args[0]);
        string text = null;
        byte[] binary = null;
        CloseEventArgs closed = null;
        string error = null;
        ws.OnOpen += (s, e) => { ws.Send("hello from mono \u00e9"); ws.Send(new byte[] { 1, 2, 3 }); };
        ws.OnMessage += (s, e) =>
        {
            if (e.IsText) text = e.Text; else binary = e.Data;
            if (text != null && binary != null) ws.Close(1000, "bye");
        };
        ws.OnError += (s, e) => error = e.Message;
        ws.OnClose += (s, e) => closed = e;
        var sw = Stopwatch.StartNew();
        while (closed == null && sw.Elapsed.TotalSeconds < 15)
        {
            GC.Collect();
            ws.DispatchEvents(20);
        }
        ws.Dispose();
        Console.WriteLine("mono smoke: runtime " + Type.GetType("Mono.Runtime") + ", native polyws " + WebSocket.NativeVersion);
        if (error != null) { Console.WriteLine("mono smoke: error " + error); return 1; }
        if (closed == null || !closed.WasClean || closed.Code != 1000)
        {
            Console.WriteLine("mono smoke: no clean close (" + (closed == null ? "none" : closed.ToString()) +
                              ", text " + (text ?? "none") + ", binary " + (binary == null ? "none" : binary.Length.ToString()) +
                              ", state " + ws.ReadyState + ")");
            return 1;
        }
        if (text != "hello from mono \u00e9" || binary == null || binary.Length != 3 || binary[2] != 3)
        {
            Console.WriteLine("mono smoke: wrong echo");
            return 1;
        }
        Console.WriteLine("mono smoke: ok (text, binary, close 1000)");
        return 0;
    }
}
