package io.polyws;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A loopback test peer started by the tests: a server printing "PORT <n>" first. */
final class Peers implements AutoCloseable {
  final Process process;
  final int port;

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
        while (out.readLine() != null) {}
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

  /** tests/peers/node_server.js (Node ws) */
  static Peers node() throws Exception {
    return new Peers(List.of("node", env("POLYWS_PEERS") + "/node_server.js", "--port", "0"));
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
