package io.polyws;

import java.util.concurrent.TimeUnit;

/** Run by OptionsTest in a child JVM: one echo with proxyFromEnvironment on or off. */
public final class ProxyEnvChild {
  public static void main(String[] args) throws Exception {
    WebSocket ws = WebSocket.builder(args[0]).proxyFromEnvironment(Boolean.parseBoolean(args[1]))
        .connect().get(20, TimeUnit.SECONDS);
    java.util.concurrent.CompletableFuture<String> echo = new java.util.concurrent.CompletableFuture<>();
    ws.onMessage(e -> echo.complete(e.text()));
    ws.send("via env");
    System.out.println("echo: " + echo.get(20, TimeUnit.SECONDS));
    ws.closeAsync(1000, "done").get(20, TimeUnit.SECONDS);
  }
}
