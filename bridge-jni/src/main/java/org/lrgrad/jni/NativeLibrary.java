package org.lrgrad.jni;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * Loads lrgrad's native library ({@code liblrgrad.so}) once per class loader and refuses it unless it speaks this
 * class's {@link #ABI_VERSION}.
 *
 * <p>Where it looks, in order:
 * <ol>
 *   <li>{@code -Dlrgrad.native.path=/absolute/path/liblrgrad.so}: when set, only this file is tried;</li>
 *   <li>on a desktop JVM, the copy packaged in this jar under {@code native/<os>-<arch>/liblrgrad.so}, extracted
 *       into a folder of its own that only this user can enter (deleted again once loaded);</li>
 *   <li>{@code System.loadLibrary("lrgrad")}: on Android first (the APK's native library folder is the trusted
 *       place there, and the jar carries no Android build), on a desktop only when the jar has no copy for the
 *       platform.</li>
 * </ol>
 * Why the jar's copy before {@code java.library.path} on the desktop: that path comes from the environment
 * ({@code LD_LIBRARY_PATH}), where an empty entry means the working folder, so {@code System.loadLibrary} could
 * load a {@code liblrgrad.so} anyone planted there; the ABI handshake would not catch a planted library that answers
 * it. The jar's copy is the one built with these classes.
 * A failure throws an {@link UnsatisfiedLinkError} that lists what was tried and how to fix it; the same error is
 * thrown again on every later call, since a refused library stays bound to this class loader.
 */
public final class NativeLibrary {

  /** The ABI these classes were written for; {@code LRGRAD_ABI_VERSION} in {@code lrgrad.h} must equal it. */
  public static final int ABI_VERSION = 4;

  /** The system property naming the library file explicitly. */
  public static final String PATH_PROPERTY = "lrgrad.native.path";

  /** The library's name for {@link System#loadLibrary}. */
  public static final String NAME = "lrgrad";

  private static String loadedFrom;
  private static UnsatisfiedLinkError failure;

  private NativeLibrary() {}

  /**
   * Loads the library if this class loader has not yet, checks its ABI version, and says where it came from.
   *
   * @return a description of where the library was loaded from, for logs
   * @throws UnsatisfiedLinkError when no usable library was found, or the one found has another ABI version
   */
  public static synchronized String load() {
    if (failure != null) {
      throw failure;
    }
    if (loadedFrom == null) {
      try {
        String source = loadFirstFound();
        checkAbiVersion(source);
        loadedFrom = source;
      } catch (UnsatisfiedLinkError e) {
        failure = e;
        throw e;
      }
    }
    return loadedFrom;
  }

  /** The ABI version the loaded library reports (loading it first). */
  public static int abiVersion() {
    load();
    return nativeAbiVersion();
  }

  /** {@code os-arch} as the jar names its native folders, e.g. {@code linux-x86_64}, {@code linux-aarch64}. */
  public static String platform() {
    String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
    if (os.startsWith("linux")) {
      os = "linux";
    } else if (os.startsWith("mac")) {
      os = "macos";
    } else if (os.startsWith("windows")) {
      os = "windows";
    }
    if (arch.equals("amd64") || arch.equals("x86_64")) {
      arch = "x86_64";
    } else if (arch.equals("arm64") || arch.equals("aarch64")) {
      arch = "aarch64";
    }
    return os + "-" + arch;
  }

  /** The library's path inside the jar for this platform. */
  public static String resourcePath() {
    return "native/" + platform() + "/" + System.mapLibraryName(NAME);
  }

  private static native int nativeAbiVersion();

  private static String loadFirstFound() {
    String explicit = System.getProperty(PATH_PROPERTY);
    if (explicit != null && !explicit.isEmpty()) {
      return loadExplicit(explicit);
    }
    String loadLibraryFailure = "not tried";
    if (isAndroid()) {
      try {
        System.loadLibrary(NAME);
        return "System.loadLibrary(\"" + NAME + "\")";
      } catch (UnsatisfiedLinkError e) {
        loadLibraryFailure = e.getMessage();
      }
    }
    String resource = resourcePath();
    String extractionFailure;
    try {
      String extracted = extractAndLoad(resource);
      if (extracted != null) {
        return extracted;
      }
      extractionFailure = "this jar has no " + resource;
      if (!isAndroid()) {
        // A jar without this platform's build (a platform we do not ship): the user's own library, if any.
        try {
          System.loadLibrary(NAME);
          return "System.loadLibrary(\"" + NAME + "\")";
        } catch (UnsatisfiedLinkError e) {
          loadLibraryFailure = e.getMessage();
        }
      }
    } catch (IOException | UnsatisfiedLinkError e) {
      // The jar's copy exists but failed: not replaced by whatever java.library.path offers.
      extractionFailure = e.getMessage();
    }
    throw new UnsatisfiedLinkError("lrgrad's native library (ABI " + ABI_VERSION + ") could not be loaded on "
        + platform() + ":\n  - System.loadLibrary(\"" + NAME + "\"): " + loadLibraryFailure
        + "\n  - the jar's copy: " + extractionFailure
        + "\nFix: use the lrgrad-bridge-jni jar built for " + platform() + " (it carries " + resource
        + "), or put " + System.mapLibraryName(NAME) + " on java.library.path, or name the file with -D"
        + PATH_PROPERTY + "=/absolute/path/" + System.mapLibraryName(NAME));
  }

  private static String loadExplicit(String path) {
    File file = new File(path);
    String problem = null;
    if (!file.isAbsolute()) {
      problem = "the path is not absolute";
    } else if (!file.isFile()) {
      problem = "no such file";
    } else {
      try {
        System.load(path);
      } catch (UnsatisfiedLinkError e) {
        problem = e.getMessage();
      }
    }
    if (problem != null) {
      throw new UnsatisfiedLinkError("-D" + PATH_PROPERTY + "=" + path + " could not be loaded: " + problem
          + "\nFix: point -D" + PATH_PROPERTY + " at the absolute path of a " + System.mapLibraryName(NAME)
          + " built for " + platform() + ", or remove the property to use java.library.path or the copy in the"
          + " lrgrad-bridge-jni jar");
    }
    return "-D" + PATH_PROPERTY + "=" + path;
  }

  /** Android's runtime (ART, and Dalvik before it) names itself so; no desktop JVM does. */
  private static boolean isAndroid() {
    return "Dalvik".equals(System.getProperty("java.vm.name"));
  }

  /**
   * A new folder under the temporary folder that only this user can enter. {@code mkdir} fails on a name that
   * exists, so the folder is ours and nobody else can have put a file in it; it is made owner-only before anything
   * is written into it.
   */
  private static File privateFolder() throws IOException {
    File parent = new File(System.getProperty("java.io.tmpdir"));
    SecureRandom random = new SecureRandom();
    for (int attempt = 0; attempt < 16; attempt++) {
      File folder = new File(parent, "lrgrad-" + Long.toHexString(random.nextLong() & Long.MAX_VALUE));
      if (folder.mkdir()) {
        boolean ownerOnly = folder.setReadable(false, false) && folder.setWritable(false, false)
            && folder.setExecutable(false, false) && folder.setReadable(true, true) && folder.setWritable(true, true)
            && folder.setExecutable(true, true);
        if (!ownerOnly) {
          deleteNow(folder);
          throw new IOException("could not make " + folder + " accessible to its owner only");
        }
        return folder;
      }
    }
    throw new IOException("could not create a new folder in " + parent);
  }

  /** Copies the resource into a private folder and loads it; null when the jar has no such resource. */
  private static String extractAndLoad(String resource) throws IOException {
    File folder;
    File file;
    try (InputStream in = NativeLibrary.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return null;
      }
      folder = privateFolder();
      file = new File(folder, System.mapLibraryName(NAME));
      try (OutputStream out = new FileOutputStream(file)) {
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
          out.write(buffer, 0, n);
        }
      } catch (IOException e) {
        deleteNow(file);
        deleteNow(folder);
        throw new IOException("extracting " + resource + " to " + file + " failed: " + e.getMessage(), e);
      }
    }
    try {
      System.load(file.getAbsolutePath());
    } finally {
      // A loaded library stays mapped after its file is deleted: nothing is left behind in the temp folder.
      deleteNow(file);
      deleteNow(folder);
    }
    return "the jar's " + resource + " (extracted to " + file + ")";
  }

  private static void deleteNow(File file) {
    if (!file.delete()) {
      file.deleteOnExit();
    }
  }

  private static void checkAbiVersion(String source) {
    int version;
    try {
      version = nativeAbiVersion();
    } catch (UnsatisfiedLinkError e) {
      throw new UnsatisfiedLinkError("the library loaded from " + source + " is not lrgrad's native library: it"
          + " lacks the JNI entry point of NativeLibrary.nativeAbiVersion (" + e.getMessage() + ")");
    }
    if (version != ABI_VERSION) {
      throw new UnsatisfiedLinkError("the library loaded from " + source + " has ABI version " + version
          + ", but these Java classes need ABI version " + ABI_VERSION
          + "\nFix: use the " + System.mapLibraryName(NAME) + " built with the same lrgrad release as the"
          + " lrgrad-bridge-jni jar (the jar carries a matching copy for " + platform() + "): remove the stale"
          + " library from -D" + PATH_PROPERTY + " or java.library.path");
    }
  }
}
