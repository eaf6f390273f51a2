package io.polyws;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A loopback test peer started by the tests: a server printing "PORT <n>" first. */
final class Peers implements AutoCloseable {
  final Process process;
  final int port;
  /** The lines the peer printed after PORT (one JSON report per finished connection). */
  final BlockingQueue<String> reports = new LinkedBlockingQueue<>();

  private Peers(List<String> cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    process = pb.start();
    BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        return null;
      }
    });
    String line;
    try {
      line = first.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException(cmd + ": no PORT line within 60 s", e);
    }
    if (line == null || !line.startsWith("PORT ")) {
      process.destroyForcibly();
      throw new IllegalStateException(cmd + ": expected 'PORT <n>', got " + line);
    }
    port = Integer.parseInt(line.substring(5).trim());
    // Keep draining what the peer reports, so that it never blocks on a full pipe.
    Thread drain = new Thread(() -> {
      try {
        for (String l; (l = out.readLine()) != null;) reports.add(l);
      } catch (IOException ignored) {
      }
    }, "peer-stdout");
    drain.setDaemon(true);
    drain.start();
  }

  private static String env(String name) {
    String v = System.getenv(name);
    if (v == null || v.isEmpty()) throw new IllegalStateException("set " + name + " (CTest does)");
    return v;
  }

  /** build/tools/polyws-echo --port 0 */
  static Peers echo() throws Exception {
    return new Peers(List.of(env("POLYWS_ECHO"), "--port", "0"));
  }

  /** build/tools/polyws-echo --port 0 --cert PEM --key PEM (wss://) */
  static Peers echoTls(String cert, String key) throws Exception {
    return new Peers(List.of(env("POLYWS_ECHO"), "--port", "0", "--cert", cert, "--key", key));
  }

  /** tests/peers/node_server.js (Node ws), with extra arguments such as --deflate */
  static Peers node(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("node", env("POLYWS_PEERS") + "/node_server.js", "--port", "0"));
    cmd.addAll(List.of(args));
    return new Peers(cmd);
  }

  /** tests/peers/py_server.py (Python websockets) on /usr/bin/python3 */
  static Peers python(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", env("POLYWS_PEERS") + "/py_server.py", "--port", "0"));
    cmd.addAll(List.of(args));
    return new Peers(cmd);
  }

  /** tests/peers/raw_server.py: scripted protocol faults, chosen by the path */
  static Peers raw() throws Exception {
    return new Peers(List.of("/usr/bin/python3", env("POLYWS_PEERS") + "/raw_server.py", "--port", "0"));
  }

  /** The next report line that matches, waiting up to `seconds`; null if none came. */
  String report(Predicate<String> match, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    for (;;) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return null;
      String l = reports.poll(left, TimeUnit.NANOSECONDS);
      if (l == null) return null;
      if (match.test(l)) return l;
    }
  }

  String url(String path) {
    return "ws://127.0.0.1:" + port + path;
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
  }
}
