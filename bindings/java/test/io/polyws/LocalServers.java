package io.polyws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback servers written here, for what the shared peers do not do: a
 * WebSocket server that completes the handshake and then never answers
 * anything (no pong, no close reply), and an HTTP CONNECT proxy that records
 * the requests it tunnels.
 */
final class LocalServers {
  private LocalServers() {}

  /** Reads an HTTP head up to the blank line (bounded to 64 KiB). */
  static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int tail = 0; // the last four bytes read
    while (tail != 0x0d0a0d0a) {
      int b = in.read();
      if (b < 0) throw new IOException("connection ended inside the HTTP head");
      head.write(b);
      if (head.size() > 65536) throw new IOException("HTTP head too long");
      tail = (tail << 8) | b;
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int c = line.indexOf(':');
      if (c > 0 && line.substring(0, c).trim().toLowerCase(Locale.ROOT).equals(name))
        return line.substring(c + 1).trim();
    }
    return null;
  }

  private abstract static class Base implements AutoCloseable {
    final ServerSocket server;
    final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger accepted = new AtomicInteger();

    Base(String name) throws IOException {
      this(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), name);
    }

    Base(ServerSocket server, String name) {
      this.server = server;
      Thread t = new Thread(this::acceptLoop, name);
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void acceptLoop() {
      while (!server.isClosed()) {
        Socket s;
        try {
          s = server.accept();
        } catch (IOException closed) {
          return;
        }
        accepted.incrementAndGet();
        open.add(s);
        Thread t = new Thread(() -> {
          try {
            serve(s);
          } catch (IOException ignored) {
            // the client went away
          }
        }, "local-server-conn");
        t.setDaemon(true);
        t.start();
      }
    }

    abstract void serve(Socket s) throws IOException;

    @Override
    public void close() throws IOException {
      server.close();
      synchronized (open) {
        for (Socket s : open) s.close();
      }
    }
  }

  /** Completes the WebSocket handshake, then reads and ignores everything. */
  static final class Silent extends Base {
    Silent() throws IOException {
      super("silent-ws-server");
    }

    String url() {
      return "ws://127.0.0.1:" + port() + "/";
    }

    @Override
    void serve(Socket s) throws IOException {
      acceptWebSocket(s, "");
      byte[] sink = new byte[4096];
      InputStream in = s.getInputStream();
      while (in.read(sink) >= 0) {}
    }
  }

  /** Reads the opening handshake request and answers 101 (plus `extraHeaders`, CRLF-ended lines). */
  static void acceptWebSocket(Socket s, String extraHeaders) throws IOException {
    String head = readHead(s.getInputStream());
    String key = header(head, "sec-websocket-key");
    String accept;
    try {
      accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(
          (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IOException(e);
    }
    OutputStream out = s.getOutputStream();
    out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + accept + "\r\n" + extraHeaders + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /**
   * wss:// with mutual TLS: requires a client certificate signed by the
   * trusted CA and answers 101 with X-Client-Subject naming it; then silent.
   */
  static final class MutualTls extends Base {
    MutualTls(javax.net.ssl.SSLContext ctx) throws IOException {
      super(mtls(ctx), "mtls-ws-server");
    }

    private static ServerSocket mtls(javax.net.ssl.SSLContext ctx) throws IOException {
      javax.net.ssl.SSLServerSocket ss = (javax.net.ssl.SSLServerSocket) ctx.getServerSocketFactory()
          .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
      ss.setNeedClientAuth(true);
      return ss;
    }

    @Override
    void serve(Socket s) throws IOException {
      javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) s;
      tls.startHandshake();
      java.security.cert.Certificate[] chain = tls.getSession().getPeerCertificates();
      String subject = ((java.security.cert.X509Certificate) chain[0]).getSubjectX500Principal().getName();
      acceptWebSocket(s, "X-Client-Subject: " + subject + "\r\n");
      byte[] sink = new byte[4096];
      InputStream in = s.getInputStream();
      while (in.read(sink) >= 0) {}
    }
  }

  /** An HTTP CONNECT proxy: tunnels to the requested host:port, records each request head. */
  static final class ConnectProxy extends Base {
    final List<String> requests = Collections.synchronizedList(new ArrayList<>());

    ConnectProxy() throws IOException {
      super("connect-proxy");
    }

    String url() {
      return "http://127.0.0.1:" + port();
    }

    @Override
    void serve(Socket client) throws IOException {
      InputStream in = client.getInputStream();
      String head = readHead(in);
      requests.add(head);
      String[] first = head.split("\r\n", 2)[0].split(" ");
      OutputStream out = client.getOutputStream();
      if (first.length < 2 || !first[0].equals("CONNECT")) {
        out.write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        client.close();
        return;
      }
      int colon = first[1].lastIndexOf(':');
      Socket upstream = new Socket(first[1].substring(0, colon), Integer.parseInt(first[1].substring(colon + 1)));
      open.add(upstream);
      out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      Thread up = new Thread(() -> pipe(in, upstream), "proxy-up");
      up.setDaemon(true);
      up.start();
      try {
        pipe(upstream.getInputStream(), client);
      } catch (IOException ignored) {
        client.close();
      }
    }

    private static void pipe(InputStream from, Socket to) {
      byte[] buf = new byte[65536];
      try {
        OutputStream out = to.getOutputStream();
        for (int n; (n = from.read(buf)) >= 0;) out.write(buf, 0, n);
        to.shutdownOutput();
      } catch (IOException e) {
        try {
          to.close();
        } catch (IOException ignored) {
        }
      }
    }
  }
}
