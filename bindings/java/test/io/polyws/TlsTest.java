package io.polyws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TLS options against polyws-echo serving certificates made here by
 * openssl (a CA, a server certificate for localhost and 127.0.0.1, a client
 * certificate, and a second CA that signed none of them), and against a Java
 * server that requires a client certificate.
 */
@Timeout(90)
class TlsTest {
  private static Path dir;
  private static Peers echo;

  private static void openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "openssl timed out");
    assertEquals(0, p.exitValue(), "openssl " + String.join(" ", args));
  }

  @BeforeAll
  static void makePki() throws Exception {
    dir = Files.createTempDirectory("polyws-java-tls");
    for (String ca : new String[] {"ca", "other"})
      openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + ".key", "-out", ca + ".pem",
          "-days", "2", "-subj", "/CN=polyws java test " + ca);
    Files.writeString(dir.resolve("san.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=localhost");
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "san.cnf");
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr",
        "-subj", "/CN=polyws java client");
    openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "client.pem", "-days", "2");
    openssl("pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-out", "server.p12",
        "-passout", "pass:test");
    echo = Peers.echoTls(path("server.pem"), path("server.key"));
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (echo != null) echo.close();
    if (dir != null)
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
  }

  private static String path(String name) {
    return dir.resolve(name).toString();
  }

  private static String url(String host) {
    return "wss://" + host + ":" + echo.port + "/";
  }

  /** Opens, echoes once over TLS, closes. */
  private static WebSocket converse(WebSocketBuilder b) throws Exception {
    Recorder r = new Recorder();
    WebSocket ws = r.attach(b).build();
    r.next(EventType.OPEN);
    ws.send("over tls");
    assertEquals("over tls", r.next(EventType.MESSAGE).text());
    ws.close(1000, "");
    assertEquals(1000, r.next(EventType.CLOSE).code());
    return ws;
  }

  private static ErrorEvent fails(WebSocketBuilder b) throws Exception {
    Recorder r = new Recorder();
    r.attach(b).build();
    return r.failed();
  }

  @Test
  void caFileTrustsTheServer() throws Exception {
    converse(WebSocket.builder(url("localhost")).caFile(path("ca.pem")));
    converse(WebSocket.builder(url("127.0.0.1")).caFile(path("ca.pem")));
  }

  @Test
  void anotherCaFailsVerificationWithTheReason() throws Exception {
    ErrorEvent e = fails(WebSocket.builder(url("localhost")).caFile(path("other.pem")));
    assertTrue(e.message().contains("verify"), e.message());
    // The system store does not know our CA either.
    ErrorEvent sys = fails(WebSocket.builder(url("localhost")));
    assertTrue(sys.message().contains("verify"), sys.message());
  }

  @Test
  void caPemTrustsTheServer() throws Exception {
    converse(WebSocket.builder(url("localhost")).caPem(Files.readString(dir.resolve("ca.pem"))));
    ErrorEvent e = fails(WebSocket.builder(url("localhost")).caPem(Files.readString(dir.resolve("other.pem"))));
    assertTrue(e.message().contains("verify"), e.message());
    assertThrows(IllegalArgumentException.class,
        () -> WebSocket.builder(url("localhost")).caPem("not a certificate").build());
  }

  @Test
  void tlsServerNameIsCheckedInsteadOfTheHost() throws Exception {
    converse(WebSocket.builder(url("127.0.0.1")).caFile(path("ca.pem")).tlsServerName("localhost"));
    ErrorEvent e = fails(WebSocket.builder(url("127.0.0.1")).caFile(path("ca.pem"))
        .tlsServerName("wrong.example"));
    assertTrue(e.message().contains("verify") || e.message().contains("host"), e.message());
  }

  @Test
  void insecureAcceptsAnyCertificate() throws Exception {
    converse(WebSocket.builder(url("localhost")).caFile(path("other.pem")).insecureNoTlsVerify(true));
  }

  @Test
  void clientCertificateReachesTheServer() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
      ks.load(in, "test".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "test".toCharArray());
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(dir.resolve("ca.pem"))) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    try (LocalServers.MutualTls server = new LocalServers.MutualTls(ctx)) {
      String u = "wss://localhost:" + server.port() + "/";
      Recorder r = new Recorder();
      WebSocket ws = r.attach(WebSocket.builder(u).caFile(path("ca.pem"))
          .clientCertificate(path("client.pem"), path("client.key"))).build();
      r.next(EventType.OPEN);
      String subject = ws.responseHeader("X-Client-Subject");
      assertTrue(subject != null && subject.contains("CN=polyws java client"), String.valueOf(subject));
      ws.close();
      // Without one, the server refuses the handshake.
      fails(WebSocket.builder(u).caFile(path("ca.pem")));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WebSocket.builder(url("localhost")).clientCertificate(path("missing.pem"), path("client.key")).build());
    assertTrue(e.getMessage().contains("missing.pem"), e.getMessage());
    String pem = new String(Files.readAllBytes(dir.resolve("ca.pem")), StandardCharsets.UTF_8);
    assertTrue(pem.contains("BEGIN CERTIFICATE"));
  }
}
