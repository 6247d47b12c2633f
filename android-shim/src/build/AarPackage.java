import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Assembles the Android library archive (AAR):
 *
 * <pre>
 *   AndroidManifest.xml   proguard.txt   R.txt (empty: no Android resources)
 *   classes.jar           org/lrgrad/** and META-INF/services/** of the class path given
 *   jni/ABI/liblrgrad.so  one per ABI=FILE argument
 * </pre>
 *
 * classes.jar leaves out what Android cannot use or does not need: the Java 25 layer (META-INF/versions), the
 * desktop native libraries (native/**), the FFM kernels and Maven metadata (the study's data set lives in the bench
 * module, not in the kernels jar). Entries are written sorted with a fixed time, so the same inputs give the
 * same bytes. Started by Maven's exec plugin with the build's class path (directories or jars).
 *
 * <p>Usage: {@code java AarPackage.java OUT.aar MANIFEST PROGUARD CLASSPATH ABI=LIBRARY...}
 */
public final class AarPackage {
  /** 2000-01-01T00:00:00Z: a fixed entry time. */
  private static final long FIXED_TIME = 946684800000L;
  /** The FFM kernels: Android has no java.lang.foreign. */
  private static final String DESKTOP_ONLY = "org/lrgrad/ffm/";

  public static void main(String[] args) throws IOException {
    if (args.length < 5) {
      System.err.println("usage: java AarPackage.java OUT.aar MANIFEST PROGUARD CLASSPATH ABI=LIBRARY...");
      System.exit(2);
    }
    TreeMap<String, byte[]> classes = new TreeMap<>();
    for (String element : args[3].split(File.pathSeparator)) {
      collect(Path.of(element), classes);
    }
    keepOnlyPackagedServices(classes);
    TreeMap<String, byte[]> aar = new TreeMap<>();
    aar.put("AndroidManifest.xml", Files.readAllBytes(Path.of(args[1])));
    aar.put("proguard.txt", Files.readAllBytes(Path.of(args[2])));
    aar.put("R.txt", new byte[0]);
    aar.put("classes.jar", zip(classes));
    for (int i = 4; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      Path library = Path.of(args[i].substring(eq + 1));
      if (eq <= 0 || !Files.isRegularFile(library)) {
        System.err.println("AarPackage: " + args[i] + " is not ABI=an existing library file (was the Android build"
            + " of liblrgrad.so made? It needs clang and lld: scripts/setup.sh installs them)");
        System.exit(1);
      }
      aar.put("jni/" + args[i].substring(0, eq) + "/liblrgrad.so", Files.readAllBytes(library));
    }
    Path out = Path.of(args[0]);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.write(out, zip(aar));
    System.out.println("AarPackage: " + out + " (" + Files.size(out) + " bytes, classes.jar " + classes.size()
        + " entries)");
  }

  private static boolean wanted(String name) {
    return (name.startsWith("org/lrgrad/") && !name.startsWith(DESKTOP_ONLY)
        || name.startsWith("META-INF/services/")) && !name.endsWith("/");
  }

  /**
   * A service registration whose class was left out (the FFM factory) would make ServiceLoader fail on the device:
   * each services file keeps only the providers whose class is in classes.jar.
   */
  private static void keepOnlyPackagedServices(TreeMap<String, byte[]> classes) {
    for (var e : classes.entrySet()) {
      if (e.getKey().startsWith("META-INF/services/")) {
        StringBuilder kept = new StringBuilder();
        for (String line : new String(e.getValue(), StandardCharsets.UTF_8).split("\n")) {
          String provider = line.replaceAll("#.*", "").trim();
          if (provider.isEmpty() || classes.containsKey(provider.replace('.', '/') + ".class")) {
            kept.append(line).append('\n');
          }
        }
        e.setValue(kept.toString().getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static void collect(Path element, TreeMap<String, byte[]> into) throws IOException {
    if (Files.isDirectory(element)) {
      List<Path> files = new ArrayList<>();
      try (Stream<Path> walk = Files.walk(element)) {
        walk.filter(Files::isRegularFile).forEach(files::add);
      }
      for (Path file : files) {
        add(into, element.relativize(file).toString().replace(File.separatorChar, '/'), Files.readAllBytes(file),
            element);
      }
    } else if (element.toString().endsWith(".jar")) {
      try (ZipFile jar = new ZipFile(element.toFile())) {
        for (Enumeration<? extends ZipEntry> e = jar.entries(); e.hasMoreElements(); ) {
          ZipEntry entry = e.nextElement();
          if (wanted(entry.getName())) {
            try (InputStream in = jar.getInputStream(entry)) {
              add(into, entry.getName(), in.readAllBytes(), element);
            }
          }
        }
      }
    }
  }

  private static void add(TreeMap<String, byte[]> into, String name, byte[] bytes, Path from) {
    if (!wanted(name)) {
      return;
    }
    if (into.put(name, bytes) != null) {
      throw new IllegalStateException(name + " is on the class path twice (again in " + from + ")");
    }
  }

  private static byte[] zip(TreeMap<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (var e : entries.entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey());
        entry.setTime(FIXED_TIME);
        zip.putNextEntry(entry);
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }
}
