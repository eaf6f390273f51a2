// Sends one message to an echo server, prints the echo, closes. With
// nothing but the jar (the native libraries come out of it):
//   java -cp polyws-0.1.0.jar Hello.java [URL]
import io.polyws.CloseEvent;
import io.polyws.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

public class Hello {
  public static void main(String[] args) throws Exception {
    String url = args.length > 0 ? args[0] : "ws://127.0.0.1:9001/";
    CompletableFuture<String> reply = new CompletableFuture<>();
    WebSocket ws = WebSocket.builder(url)
        .onMessage(e -> reply.complete(e.text()))
        .connect()
        .get(10, TimeUnit.SECONDS);
    ws.send("Hello from Java");
    System.out.println("echo: " + reply.get(10, TimeUnit.SECONDS));
    CloseEvent closed = ws.closeAsync(1000, "bye").get(10, TimeUnit.SECONDS);
    System.out.println("closed: " + closed.code() + " clean=" + closed.wasClean());
    System.exit(closed.wasClean() ? 0 : 1);
  }
}
