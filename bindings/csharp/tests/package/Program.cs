// A consumer of the Polyws NuGet package, built in a fresh console project by
// package_test.sh: opens, echoes a text and a binary message, closes cleanly.
using System;
using System.Linq;
using System.Threading.Tasks;
using Polyws;

class Program
{
    static async Task<int> Main(string[] args)
    {
        Console.WriteLine("consumer: native polyws " + WebSocket.NativeVersion);
        using var ws = await WebSocket.ConnectAsync(args[0]);
        ws.Send("hello from the package");
        var bytes = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        ws.Send(bytes);
        var text = await ws.ReceiveAsync();
        var binary = await ws.ReceiveAsync();
        if (text.Text != "hello from the package" || !binary.Data.SequenceEqual(bytes))
        {
            Console.WriteLine("consumer: wrong echo");
            return 1;
        }
        var close = await ws.CloseAsync(1000, "bye");
        Console.WriteLine($"consumer: close {close.Code} wasClean={close.WasClean}");
        if (!close.WasClean) return 1;
        Console.WriteLine("consumer: ok");
        return 0;
    }
}
