package io.polyws.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Loads the JNI library once: {@code System.loadLibrary("polyws_jni")} when
 * it is on java.library.path, else libpolyws.so.0 and libpolyws_jni.so
 * extracted from the jar ({@code native/linux-x86_64/}) into a temporary
 * directory deleted on exit.
 */
public final class NativeLoader {
  private static final String[] BUNDLED = {"libpolyws.so.0", "libpolyws_jni.so"};
  private static boolean loaded;

  private NativeLoader() {}

  public static synchronized void load() {
    if (loaded) return;
    try {
      System.loadLibrary("polyws_jni");
    } catch (UnsatisfiedLinkError notOnPath) {
      try {
        loadFromJar();
      } catch (IOException | UnsatisfiedLinkError e) {
        UnsatisfiedLinkError err = new UnsatisfiedLinkError(
            "polyws: libpolyws_jni is neither on java.library.path (" + notOnPath.getMessage()
                + ") nor loadable from the jar: " + e);
        err.initCause(e);
        throw err;
      }
    }
    loaded = true;
  }

  private static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase();
    String arch = System.getProperty("os.arch", "");
    if (arch.equals("amd64")) arch = "x86_64";
    if (arch.equals("arm64")) arch = "aarch64";
    return (os.contains("linux") ? "linux" : os.replace(' ', '_')) + "-" + arch;
  }

  private static void loadFromJar() throws IOException {
    String dir = "/native/" + platform() + "/";
    Path tmp = Files.createTempDirectory("polyws-native");
    tmp.toFile().deleteOnExit();
    for (String name : BUNDLED) {
      try (InputStream in = NativeLoader.class.getResourceAsStream(dir + name)) {
        if (in == null) throw new IOException("no " + dir + name + " in the jar");
        Path out = tmp.resolve(name);
        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        out.toFile().deleteOnExit();
      }
    }
    // libpolyws.so.0 first: the JNI library then finds it by its soname.
    for (String name : BUNDLED) System.load(tmp.resolve(name).toAbsolutePath().toString());
  }
}
