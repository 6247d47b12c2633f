package org.lrgrad.android;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The AAR the build assembles: its entries, its classes.jar, and the ELF headers of its two native libraries. */
class AarTest {
  private static TreeMap<String, byte[]> entries(byte[] zip) throws IOException {
    TreeMap<String, byte[]> entries = new TreeMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        entries.put(e.getName(), in.readAllBytes());
      }
    }
    return entries;
  }

  private static TreeMap<String, byte[]> aar() throws IOException {
    String path = System.getProperty("lrgrad.test.aar");
    assertTrue(path != null && Files.isRegularFile(Path.of(path)), "the build assembles the AAR first: " + path);
    return entries(Files.readAllBytes(Path.of(path)));
  }

  @Test
  void theArchiveHoldsTheManifestTheClassesTheRulesAndBothLibraries() throws IOException {
    TreeMap<String, byte[]> aar = aar();
    assertEquals(List.of("AndroidManifest.xml", "R.txt", "classes.jar", "jni/arm64-v8a/liblrgrad.so",
        "jni/x86_64/liblrgrad.so", "proguard.txt"), new ArrayList<>(aar.keySet()));
    String manifest = new String(aar.get("AndroidManifest.xml"), StandardCharsets.UTF_8);
    assertTrue(manifest.contains("package=\"org.lrgrad.android\""), manifest);
    assertTrue(manifest.contains("android:minSdkVersion=\"24\""), manifest);
    String rules = new String(aar.get("proguard.txt"), StandardCharsets.UTF_8);
    assertTrue(rules.contains("native <methods>;"), rules);
    assertTrue(rules.contains("-keep class * implements org.lrgrad.kernels.KernelFactory { public <init>(); }"),
        rules);
  }

  @Test
  void classesJarHoldsTheAndroidSafeClassesAtJava11AndTheServiceRegistration() throws IOException {
    TreeMap<String, byte[]> classes = entries(aar().get("classes.jar"));
    for (String required : List.of("org/lrgrad/android/OnDeviceTrainer.class", "org/lrgrad/train/Trainer.class",
        "org/lrgrad/kernels/ReferenceKernels.class", "org/lrgrad/data/Npz.class",
        "org/lrgrad/jni/JniKernels.class", "org/lrgrad/jni/JniKernelFactory.class")) {
      assertTrue(classes.containsKey(required), required);
    }
    String services = new String(classes.get("META-INF/services/org.lrgrad.kernels.KernelFactory"),
        StandardCharsets.UTF_8);
    assertEquals(List.of("org.lrgrad.jni.JniKernelFactory", "org.lrgrad.jni.JniKernelFactory$Scalar"),
        List.of(services.trim().split("\n")));
    for (var e : classes.entrySet()) {
      String name = e.getKey();
      assertFalse(name.startsWith("META-INF/versions/"), "no Java 25 layer: " + name);
      assertFalse(name.startsWith("native/"), "no desktop library: " + name);
      assertFalse(name.startsWith("org/lrgrad/ffm/"), "no FFM kernels (Android has no java.lang.foreign): " + name);
      assertFalse(name.contains("fashion-mnist-subset"), "no embedded data set: " + name);
      assertTrue(name.startsWith("org/lrgrad/") && name.endsWith(".class") || name.startsWith("META-INF/services/"),
          name);
      if (name.endsWith(".class")) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(e.getValue()));
        assertEquals(0xCAFEBABE, in.readInt(), name);
        in.readUnsignedShort();
        assertEquals(55, in.readUnsignedShort(), name + " is Java 11 bytecode (class file major version 55)");
      }
    }
  }

  /** llvm-readelf's output for the library of one ABI, taken from the AAR. */
  private static String readelf(String abi, Path dir) throws IOException, InterruptedException {
    Path library = dir.resolve(abi + "-liblrgrad.so");
    Files.write(library, aar().get("jni/" + abi + "/liblrgrad.so"));
    Process p = new ProcessBuilder("llvm-readelf", "--wide", "--file-header", "--program-headers",
        "--dynamic-table", "--dyn-syms", library.toString()).redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(0, p.waitFor(), "llvm-readelf (scripts/setup.sh installs it): " + out);
    return out;
  }

  @ParameterizedTest
  @CsvSource({"arm64-v8a, AArch64", "x86_64, Advanced Micro Devices X86-64"})
  void theLibraryLoadsOnAndroid(String abi, String machine, @TempDir Path dir) throws Exception {
    String elf = readelf(abi, dir);
    assertTrue(elf.contains("Class:                             ELF64"), elf);
    assertTrue(Pattern.compile("Machine:\\s+" + Pattern.quote(machine) + "\\n").matcher(elf).find(), elf);
    assertTrue(elf.contains("Type:                              DYN"), elf);
    assertTrue(Pattern.compile("\\(SONAME\\)\\s+Library soname: \\[liblrgrad\\.so\\]").matcher(elf).find(), elf);
    // Freestanding: no library needed at all, so none of glibc's (libc.so.6, libm.so.6, ld-linux-*).
    assertFalse(elf.contains("(NEEDED)"), elf);

    Matcher load = Pattern.compile("^\\s+LOAD\\s+(?:0x[0-9a-f]+\\s+){5}[RWE ]+\\s+(0x[0-9a-f]+)$",
        Pattern.MULTILINE).matcher(elf);
    int loads = 0;
    while (load.find()) {
      loads++;
      long align = Long.decode(load.group(1));
      assertTrue(align >= 16384, "LOAD alignment " + load.group(1) + " >= 16 KB:\n" + load.group());
    }
    assertTrue(loads >= 2, elf);

    List<String> exported = new ArrayList<>();
    Matcher sym = Pattern.compile("^\\s+\\d+: [0-9a-f]+\\s+\\d+\\s+(\\w+)\\s+(\\w+)\\s+(\\w+)\\s+(\\w+)\\s+(\\S+)$",
        Pattern.MULTILINE).matcher(elf);
    while (sym.find()) {
      String ndx = sym.group(4), name = sym.group(5);
      assertFalse(ndx.equals("UND"), "undefined symbol " + name + " (nothing may come from elsewhere)");
      if (sym.group(2).equals("GLOBAL") || sym.group(2).equals("WEAK")) {
        exported.add(name);
      }
    }
    Collections.sort(exported);
    assertTrue(exported.contains("JNI_OnLoad") && exported.contains("Java_org_lrgrad_jni_JniKernels_sgemm")
        && exported.contains("lrgrad_sgemm"), exported.toString());
    for (String name : exported) {
      assertTrue(name.equals("JNI_OnLoad") || name.startsWith("Java_org_lrgrad_") || name.startsWith("lrgrad_"),
          "only JNI_OnLoad, Java_org_lrgrad_* and lrgrad_* are exported, not " + name);
    }
  }
}
