package io.polyws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What ships: the jar alone runs a program; the POM and the sources jar match it. */
@Timeout(120)
class PackagingTest {
  private static String env(String name) {
    String v = System.getenv(name);
    assertTrue(v != null && !v.isEmpty(), "set " + name + " (CTest does)");
    return v;
  }

  private static Path jar() throws Exception {
    return Paths.get(WebSocket.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  /**
   * `java -cp polyws-VERSION.jar Hello.java URL` in a clean child JVM: no
   * java.library.path, no LD_LIBRARY_PATH, run from an empty directory.
   */
  @Test
  void helloWithOnlyTheJar() throws Exception {
    Path jar = jar();
    assertTrue(jar.getFileName().toString().equals("polyws-" + WebSocket.version() + ".jar"), jar.toString());
    Path hello = Paths.get(env("POLYWS_JAVA_EXAMPLES"), "Hello.java");
    Path empty = Files.createTempDirectory("polyws-hello");
    try (Peers echo = Peers.echo()) {
      String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb = new ProcessBuilder(java, "-cp", jar.toString(), hello.toString(), echo.url("/"))
          .directory(empty.toFile()).redirectErrorStream(true);
      pb.environment().remove("LD_LIBRARY_PATH");
      pb.environment().remove("JAVA_TOOL_OPTIONS");
      pb.environment().remove("CLASSPATH");
      Process p = pb.start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), out);
      assertTrue(out.contains("echo: Hello from Java"), out);
      assertTrue(out.contains("closed: 1000 clean=true"), out);
    } finally {
      Files.deleteIfExists(empty);
    }
  }

  @Test
  void pomHasTheCoordinatesAndVersion() throws Exception {
    String pom = Files.readString(Paths.get(env("POLYWS_POM")));
    assertTrue(pom.contains("<groupId>io.polyws</groupId>"), pom);
    assertTrue(pom.contains("<artifactId>polyws</artifactId>"), pom);
    assertTrue(pom.contains("<version>" + WebSocket.version() + "</version>"), pom);
    assertTrue(Paths.get(env("POLYWS_POM")).getFileName().toString()
        .equals("polyws-" + WebSocket.version() + ".pom"));
  }

  @Test
  void jarsHoldTheNativeLibrariesAndTheSources() throws Exception {
    try (JarFile jar = new JarFile(jar().toFile())) {
      assertNotNull(jar.getEntry("native/linux-x86_64/libpolyws_jni.so"));
      assertNotNull(jar.getEntry("native/linux-x86_64/libpolyws.so.0"));
      assertNotNull(jar.getEntry("io/polyws/WebSocket.class"));
    }
    Path sources = Paths.get(env("POLYWS_SOURCES_JAR"));
    assertEquals("polyws-" + WebSocket.version() + "-sources.jar", sources.getFileName().toString());
    try (JarFile src = new JarFile(sources.toFile())) {
      for (String f : new String[] {"io/polyws/WebSocket.java", "io/polyws/EventLoop.java",
               "io/polyws/internal/PolywsNative.java", "io/polyws/internal/NativeLoader.java"})
        assertNotNull(src.getEntry(f), f);
    }
  }
}
