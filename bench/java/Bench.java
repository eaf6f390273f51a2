// Java benchmark clients, one calling convention (notes/bench-clients.md):
//
//   java -cp polyws-VERSION.jar:CLASSES Bench polyws|polyws-inline|jdk URL rtt|mib|pipeline|connect SECONDS
//   (bench/java/client.sh polyws|polyws-inline|jdk URL MODE SECONDS compiles and runs it)
//
//   polyws  io.polyws.WebSocket on a host-driven EventLoop: listeners run on
//           the main thread inside dispatch(), no Java thread hand-off.
//   polyws-inline  the same on EventLoop.createWithInlineIo() (the C API's
//           WS_DELIVERY_HOST_DRIVEN): dispatch() also does the network I/O.
//   jdk     java.net.http.WebSocket (JDK 11+), its listener on the HTTP
//           client's executor, the main thread waiting on a queue.
//
// First the mode runs for BENCH_WARMUP seconds (default 1; give a JIT more),
// uncounted, then for SECONDS. Every echo is checked (size; content in rtt).
// Prints one JSON line: {"ops": N, "seconds": wall, "cpu_seconds": process CPU
// of the measured part}. Errors: a message on stderr, exit 1.
import io.polyws.CloseEvent;
import io.polyws.EventLoop;
import io.polyws.EventType;
import io.polyws.MessageEvent;
import io.polyws.WebSocket;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

public final class Bench {
  static final long ECHO_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
  static final String RTT_TEXT = "0123456789abcdefghijklmnopqrstuv"; // 32 bytes
  static final int MIB = 1048576;
  static final int PIPE_SIZE = 64;
  static final int PIPE_DEPTH = 64;

  static final class Failure extends RuntimeException {
    Failure(String m) {
      super(m);
    }
  }

  /** One client: runs `mode` until the deadline and returns the operations completed. */
  interface Client {
    long run(String mode, long deadline) throws Exception;
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  public static void main(String[] args) {
    if (args.length != 4) {
      System.err.println("usage: Bench polyws|polyws-inline|jdk URL rtt|mib|pipeline|connect SECONDS");
      System.exit(2);
    }
    try {
      String url = args[1];
      String mode = args[2];
      if (!Arrays.asList("rtt", "mib", "pipeline", "connect").contains(mode)) throw new Failure("unknown mode " + mode);
      double seconds = Double.parseDouble(args[3]);
      String w = System.getenv("BENCH_WARMUP");
      double warmup = w == null || w.isEmpty() ? 1 : Double.parseDouble(w);
      Client c;
      switch (args[0]) {
        case "polyws":
          c = new PolywsClient(url, EventLoop.create());
          break;
        case "polyws-inline":
          c = new PolywsClient(url, EventLoop.createWithInlineIo());
          break;
        case "jdk":
          c = new JdkClient(url);
          break;
        default:
          throw new Failure("unknown client " + args[0]);
      }
      if (warmup > 0) c.run(mode, System.nanoTime() + (long) (warmup * 1e9));
      long cpu0 = cpuNanos();
      long t0 = System.nanoTime();
      long ops = c.run(mode, t0 + (long) (seconds * 1e9));
      long t1 = System.nanoTime();
      long cpu1 = cpuNanos();
      System.out.println(String.format(Locale.ROOT, "{\"ops\": %d, \"seconds\": %.6f, \"cpu_seconds\": %.6f}",
          ops, (t1 - t0) / 1e9, (cpu1 - cpu0) / 1e9));
      System.out.flush();
      System.exit(0);
    } catch (Throwable t) {
      System.err.println("Bench " + String.join(" ", args) + ": " + t);
      System.exit(1);
    }
  }

  static void checkEcho(String mode, boolean binary, int size, String text) {
    switch (mode) {
      case "rtt":
        if (binary || !RTT_TEXT.equals(text)) throw new Failure("rtt: wrong echo");
        break;
      case "mib":
        if (!binary || size != MIB) throw new Failure("mib: echo of " + size + " bytes");
        break;
      default:
        if (!binary || size != PIPE_SIZE) throw new Failure("pipeline: echo of " + size + " bytes");
    }
  }

  // ---- polyws -------------------------------------------------------------------

  static final class PolywsClient implements Client {
    final String url;
    final EventLoop loop;
    WebSocket ws; // the connection of the message modes, kept across warm-up and run
    String mode;
    long received;
    boolean opened;
    boolean closed;
    String failure;

    PolywsClient(String url, EventLoop loop) {
      this.url = url;
      this.loop = loop;
    }

    WebSocket open() {
      opened = closed = false;
      WebSocket s = WebSocket.builder(url).eventLoop(loop)
          .onOpen(e -> opened = true)
          .onMessage(this::onMessage)
          .onError(e -> failure = e.message())
          .onClose(e -> closed = true)
          .build();
      pumpUntil(() -> opened, "open");
      return s;
    }

    void onMessage(MessageEvent e) {
      checkEcho(mode, e.isBinary(), e.bytes().length, e.isBinary() ? null : e.text());
      received++;
    }

    void pumpUntil(java.util.function.BooleanSupplier done, String what) {
      long limit = System.nanoTime() + ECHO_TIMEOUT_NS;
      while (!done.getAsBoolean()) {
        if (failure != null) throw new Failure(what + ": " + failure);
        if (closed && !what.equals("close")) throw new Failure(what + ": connection closed");
        if (System.nanoTime() > limit) throw new Failure(what + ": nothing within 10 s");
        loop.dispatch(100);
      }
    }

    @Override
    public long run(String mode, long deadline) {
      this.mode = mode;
      long ops = 0;
      if (mode.equals("connect")) {
        while (System.nanoTime() < deadline) {
          WebSocket s = open();
          s.close(1000, null);
          pumpUntil(() -> closed, "close");
          ops++;
        }
        return ops;
      }
      if (ws == null) ws = open();
      received = 0;
      switch (mode) {
        case "rtt":
          while (System.nanoTime() < deadline) {
            long want = received + 1;
            ws.send(RTT_TEXT);
            pumpUntil(() -> received >= want, "rtt echo");
          }
          return received;
        case "mib": {
          ByteBuffer payload = ByteBuffer.allocateDirect(MIB);
          while (System.nanoTime() < deadline) {
            long want = received + 1;
            payload.clear();
            ws.send(payload);
            pumpUntil(() -> received >= want, "mib echo");
          }
          return received;
        }
        default: { // pipeline
          byte[] payload = new byte[PIPE_SIZE];
          long sent = 0;
          while (System.nanoTime() < deadline) {
            while (sent - received < PIPE_DEPTH) {
              ws.send(payload);
              sent++;
            }
            long before = received;
            pumpUntil(() -> received > before, "pipeline echo");
          }
          long counted = received;
          long drainTo = sent; // let the in-flight echoes come back before the next run
          pumpUntil(() -> received >= drainTo, "pipeline drain");
          return counted;
        }
      }
    }
  }

  // ---- java.net.http.WebSocket ---------------------------------------------------

  static final class JdkClient implements Client, java.net.http.WebSocket.Listener {
    final URI uri;
    final HttpClient http = HttpClient.newHttpClient();
    java.net.http.WebSocket ws;
    String mode;
    /** One entry per complete echo: a String (text) or an Integer (binary size). */
    final LinkedBlockingQueue<Object> echoes = new LinkedBlockingQueue<>();
    CompletableFuture<Integer> closedBy = new CompletableFuture<>();
    StringBuilder text = new StringBuilder();
    int binarySize;

    JdkClient(String url) {
      uri = URI.create(url);
    }

    java.net.http.WebSocket open() throws Exception {
      closedBy = new CompletableFuture<>();
      return http.newWebSocketBuilder().buildAsync(uri, this).get(10, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        echoes.add(text.toString());
        text.setLength(0);
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(java.net.http.WebSocket w, ByteBuffer data, boolean last) {
      binarySize += data.remaining();
      if (last) {
        echoes.add(binarySize);
        binarySize = 0;
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(java.net.http.WebSocket w, int code, String reason) {
      closedBy.complete(code);
      return null;
    }

    @Override
    public void onError(java.net.http.WebSocket w, Throwable error) {
      closedBy.completeExceptionally(error);
      echoes.add(error);
    }

    void takeEcho() throws Exception {
      Object e = echoes.poll(10, TimeUnit.SECONDS);
      if (e == null) throw new Failure(mode + ": no echo within 10 s");
      if (e instanceof Throwable) throw new Failure(mode + ": " + e);
      if (e instanceof String) checkEcho(mode, false, ((String) e).getBytes(StandardCharsets.UTF_8).length, (String) e);
      else checkEcho(mode, true, (Integer) e, null);
    }

    @Override
    public long run(String mode, long deadline) throws Exception {
      this.mode = mode;
      long ops = 0;
      if (mode.equals("connect")) {
        while (System.nanoTime() < deadline) {
          java.net.http.WebSocket s = open();
          s.sendClose(1000, "").get(10, TimeUnit.SECONDS);
          closedBy.get(10, TimeUnit.SECONDS);
          ops++;
        }
        return ops;
      }
      if (ws == null) ws = open();
      switch (mode) {
        case "rtt":
          while (System.nanoTime() < deadline) {
            ws.sendText(RTT_TEXT, true).get(10, TimeUnit.SECONDS);
            takeEcho();
            ops++;
          }
          return ops;
        case "mib": {
          ByteBuffer payload = ByteBuffer.allocateDirect(MIB);
          while (System.nanoTime() < deadline) {
            payload.clear();
            ws.sendBinary(payload, true).get(10, TimeUnit.SECONDS);
            takeEcho();
            ops++;
          }
          return ops;
        }
        default: { // pipeline
          byte[] payload = new byte[PIPE_SIZE];
          long sent = 0;
          while (System.nanoTime() < deadline) {
            while (sent - ops < PIPE_DEPTH) {
              ws.sendBinary(ByteBuffer.wrap(payload), true).get(10, TimeUnit.SECONDS);
              sent++;
            }
            takeEcho();
            ops++;
          }
          for (long i = ops; i < sent; i++) takeEcho(); // drain before the next run
          return ops;
        }
      }
    }
  }
}
