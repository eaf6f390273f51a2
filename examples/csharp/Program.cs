// Sends one message to an echo server, prints the echo, closes.
//   dotnet run [URL]   (in a console project with the Polyws package)
using System;
using Polyws;

string url = args.Length > 0 ? args[0] : "ws://127.0.0.1:9001/";
using var ws = new WebSocket(url);   // ArgumentException for a SyntaxError
ws.OnOpen += (s, e) => ws.Send("Hello from C#");
ws.OnMessage += (s, e) =>
{
    Console.WriteLine($"echo: {e.Text}");
    ws.Close(1000, "done");
};
ws.OnError += (s, e) => Console.Error.WriteLine($"error: {e.Message}");
bool clean = false;
ws.OnClose += (s, e) =>
{
    clean = e.WasClean;
    Console.WriteLine($"closed: {e.Code} clean={(e.WasClean ? "true" : "false")}");
};
while (ws.ReadyState != ReadyState.Closed) ws.DispatchEvents(100);   // handlers run here
return clean ? 0 : 1;
