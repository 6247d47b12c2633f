package org.lrgrad.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader in this JVM (where only the jar's copy is reachable) and, for every other way of finding the library,
 * in a fresh JVM started with the property under test: a JVM binds a class's native methods once, so each
 * scenario needs its own.
 */
class NativeLibraryTest {
  private static final Path HOST_LIBRARY = Path.of(System.getProperty("lrgrad.test.hostLibrary"));
  private static final Path ABI_MISMATCH_LIBRARY = Path.of(System.getProperty("lrgrad.test.abiMismatchLibrary"));

  /** A finished probe JVM: its exit status and what it printed. */
  private record Probe(int exitCode, String output) {}

  @Test
  void loadsTheJarsCopyAndPassesTheHandshake() {
    String source = NativeLibrary.load();
    assertTrue(source.startsWith("the jar's native/linux-x86_64/liblrgrad.so (extracted to "), source);
    String extracted = source.substring(source.indexOf("extracted to ") + 13, source.length() - 1);
    assertFalse(Files.exists(Path.of(extracted)), "the extracted copy should be deleted once loaded: " + extracted);
    assertEquals(NativeLibrary.ABI_VERSION, NativeLibrary.abiVersion());
    assertEquals(source, NativeLibrary.load(), "a second load() reuses the first");
  }

  @Test
  void loadsAnExplicitPath() throws Exception {
    Probe probe = probe("-D" + NativeLibrary.PATH_PROPERTY + "=" + HOST_LIBRARY);
    assertEquals(0, probe.exitCode(), probe.output());
    assertTrue(probe.output().startsWith("loaded: -Dlrgrad.native.path=" + HOST_LIBRARY + "; abi "
        + NativeLibrary.ABI_VERSION),
        probe.output());
  }

  /** On the desktop the jar's copy, built with these classes, comes before java.library.path. */
  @Test
  void prefersTheJarsCopyToJavaLibraryPath() throws Exception {
    Probe probe = probe("-Djava.library.path=" + HOST_LIBRARY.getParent());
    assertEquals(0, probe.exitCode(), probe.output());
    assertTrue(probe.output().startsWith("loaded: the jar's native/linux-x86_64/liblrgrad.so (extracted to "),
        probe.output());
    assertTrue(probe.output().contains("; abi " + NativeLibrary.ABI_VERSION), probe.output());
  }

  /**
   * LD_LIBRARY_PATH with an empty entry puts the working folder on java.library.path; a liblrgrad.so planted there
   * (here the test double of ABI 2) must not be loaded: the jar's copy is. Before, System.loadLibrary came first
   * and loaded the planted file.
   */
  @Test
  void aLibraryPlantedInTheWorkingFolderIsNotLoaded(@TempDir Path dir) throws Exception {
    Files.copy(ABI_MISMATCH_LIBRARY, dir.resolve("liblrgrad.so"));
    Probe probe = probe(dir, Map.of("LD_LIBRARY_PATH", ":"), "-Dlrgrad.test.probe=planted");
    assertEquals(0, probe.exitCode(), probe.output());
    assertTrue(probe.output().startsWith("loaded: the jar's native/linux-x86_64/liblrgrad.so (extracted to "),
        probe.output());
    assertTrue(probe.output().contains("; abi " + NativeLibrary.ABI_VERSION), probe.output());
    assertFalse(probe.output().contains(dir.toString() + "/liblrgrad.so"), probe.output());
  }

  /** The folder the jar's copy is extracted into is new, private to this user, and gone once loaded. */
  @Test
  void theJarsCopyIsExtractedIntoAPrivateFolderThatIsDeletedAfterwards() {
    String source = NativeLibrary.load();
    String extracted = source.substring(source.indexOf("extracted to ") + 13, source.length() - 1);
    Path folder = Path.of(extracted).getParent();
    assertTrue(folder.getFileName().toString().startsWith("lrgrad-"), extracted);
    assertEquals(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath(), folder.getParent().toAbsolutePath(),
        extracted);
    assertFalse(Files.exists(folder), "the extraction folder should be deleted once loaded: " + folder);
  }

  @Test
  void aMissingExplicitPathIsRefusedWithTheFix(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("liblrgrad.so");
    Probe probe = probe("-D" + NativeLibrary.PATH_PROPERTY + "=" + missing);
    assertEquals(3, probe.exitCode(), probe.output());
    assertTrue(probe.output().contains("-Dlrgrad.native.path=" + missing + " could not be loaded: no such file"),
        probe.output());
    assertTrue(probe.output().contains("Fix: point -Dlrgrad.native.path at the absolute path"), probe.output());
  }

  @Test
  void aFileThatIsNoLibraryIsRefusedWithTheLinkersReason(@TempDir Path dir) throws Exception {
    Path notElf = Files.writeString(dir.resolve("liblrgrad.so"), "not a shared object\n".repeat(256));
    Probe probe = probe("-D" + NativeLibrary.PATH_PROPERTY + "=" + notElf);
    assertEquals(3, probe.exitCode(), probe.output());
    assertTrue(probe.output().contains("-Dlrgrad.native.path=" + notElf + " could not be loaded: "), probe.output());
    assertTrue(probe.output().contains("ELF"), "the dynamic linker's reason should be kept: " + probe.output());
  }

  @Test
  void aRelativeExplicitPathIsRefused() throws Exception {
    Probe probe = probe("-D" + NativeLibrary.PATH_PROPERTY + "=liblrgrad.so");
    assertEquals(3, probe.exitCode(), probe.output());
    assertTrue(probe.output().contains("could not be loaded: the path is not absolute"), probe.output());
  }

  /** The test double reports ABI version 2, the version before this one. */
  private static final int OLD_ABI_VERSION = 2;

  @Test
  void theOldAbiVersionIsRefusedFromAnExplicitPath() throws Exception {
    assertTrue(OLD_ABI_VERSION < NativeLibrary.ABI_VERSION, "the test double must report an older version");
    Probe probe = probe("-D" + NativeLibrary.PATH_PROPERTY + "=" + ABI_MISMATCH_LIBRARY);
    assertEquals(3, probe.exitCode(), probe.output());
    assertTrue(probe.output().contains("has ABI version " + OLD_ABI_VERSION
        + ", but these Java classes need ABI version " + NativeLibrary.ABI_VERSION),
        probe.output());
    assertTrue(probe.output().contains("Fix: use the liblrgrad.so built with the same lrgrad release"),
        probe.output());
  }

  /** A stale library on java.library.path is not loaded on the desktop: the jar's copy is. */
  @Test
  void aStaleLibraryOnJavaLibraryPathIsNotLoaded() throws Exception {
    Probe probe = probe("-Djava.library.path=" + ABI_MISMATCH_LIBRARY.getParent());
    assertEquals(0, probe.exitCode(), probe.output());
    assertTrue(probe.output().startsWith("loaded: the jar's "), probe.output());
    assertTrue(probe.output().contains("; abi " + NativeLibrary.ABI_VERSION), probe.output());
  }

  /**
   * The library allocates nothing and needs no math library: of the C library it imports at most memory copies and
   * clears and the square root (sgemm's workspace comes from the caller since ABI 3; Adam's bias corrections, softmax
   * cross-entropy and Adafactor are Java's; messages are built without snprintf). A library that imports no
   * allocator cannot allocate in any call.
   */
  @Test
  void theLibraryImportsNoAllocatorAndNoMathBeyondTheSquareRoot() throws Exception {
    Process nm = new ProcessBuilder("nm", "-D", "--undefined-only", HOST_LIBRARY.toString())
        .redirectErrorStream(true).start();
    String output = new String(nm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, nm.waitFor(), output);
    Set<String> imported = new TreeSet<>();
    for (String line : output.split("\n")) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length == 2 && fields[0].equals("U")) {
        imported.add(fields[1].replaceAll("@.*", ""));
      }
    }
    assertTrue(imported.contains("memcpy"), "nm read the imports: " + output);
    Set<String> allowed = new TreeSet<>(Arrays.asList("memcpy", "memset", "sqrtf"));
    for (String symbol : imported) {
      assertTrue(allowed.contains(symbol), "the library imports " + symbol + "; it may import only " + allowed
          + " (no allocator, no exp/log/pow, no formatting); all imports: " + imported);
    }
  }

  @Test
  void theLibraryExportsOnlyTheJniEntryPointsAndThePublicApi() throws Exception {
    Process nm = new ProcessBuilder("nm", "-D", "--defined-only", HOST_LIBRARY.toString())
        .redirectErrorStream(true).start();
    String output = new String(nm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, nm.waitFor(), output);
    Set<String> exported = new TreeSet<>();
    for (String line : output.split("\n")) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length == 3) {
        exported.add(fields[2]);
      }
    }
    assertTrue(exported.contains("lrgrad_abi_version"), exported.toString());
    assertTrue(exported.contains("Java_org_lrgrad_jni_NativeLibrary_nativeAbiVersion"), exported.toString());
    assertTrue(exported.contains("lrgrad_sgemm"), exported.toString());
    assertTrue(exported.contains("Java_org_lrgrad_jni_JniKernels_sgemm"), exported.toString());
    assertTrue(exported.contains("JNI_OnLoad"), exported.toString());
    for (String symbol : exported) {
      assertTrue(symbol.startsWith("Java_org_lrgrad_") || symbol.startsWith("lrgrad_") || symbol.equals("JNI_OnLoad"),
          "unexpected export " + symbol + " in " + exported);
    }
  }

  private static Probe probe(String property) throws IOException, InterruptedException, URISyntaxException {
    return probe(null, Map.of(), property);
  }

  /** In workingFolder (null: this JVM's) with environment variables added. */
  private static Probe probe(Path workingFolder, Map<String, String> environment, String property)
      throws IOException, InterruptedException, URISyntaxException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add(property);
    command.add("-cp");
    command.add(codeSource(NativeLibrary.class) + java.io.File.pathSeparator + codeSource(LoadProbe.class));
    command.add(LoadProbe.class.getName());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (workingFolder != null) {
      builder.directory(workingFolder.toFile());
    }
    builder.environment().putAll(environment);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish: " + output);
    return new Probe(process.exitValue(), output);
  }

  private static Path codeSource(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
