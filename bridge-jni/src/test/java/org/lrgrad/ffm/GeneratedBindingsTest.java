package org.lrgrad.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.lrgrad.jni.NativeLibrary;

/**
 * The committed jextract output ({@code org.lrgrad.ffm.lrgrad_h}) matches {@code lrgrad.h} as it is now: every
 * function the header declares has a generated method and descriptor of the same C signature, no generated function
 * is gone from the header, and every integer macro has the header's value. A header change without regenerating the
 * bindings fails here. And the generated classes are not public API.
 *
 * <p>The generated classes live in the Java 25 layer, which tests see only on the class path (not at compile
 * time), hence the reflection.
 */
class GeneratedBindingsTest {
  private static final Path HEADER = Path.of("src/main/native/include/lrgrad.h");
  private static final String BINDINGS = "org.lrgrad.ffm.lrgrad_h";
  private static final Pattern FUNCTION =
      Pattern.compile("LRGRAD_API\\s+(\\w+)\\s+(\\w+)\\s*\\(([^)]*)\\)\\s*;");
  private static final Pattern CONSTANT = Pattern.compile("(?m)^#define\\s+(LRGRAD_\\w+)\\s+(-?\\d+)\\s*$");

  /** A C parameter or return type of the header, as the binding must carry it. */
  private enum CType {
    INT32(int.class, 4),
    INT64(long.class, 8),
    FLOAT(float.class, 4),
    POINTER(MemorySegment.class, 8);

    final Class<?> carrier;
    final int bytes;

    CType(Class<?> carrier, int bytes) {
      this.carrier = carrier;
      this.bytes = bytes;
    }

    static CType of(String declaration) {
      if (declaration.contains("*")) {
        return POINTER;
      }
      String type = declaration.replace("const", "").trim().split("\\s+")[0];
      switch (type) {
        case "int32_t":
          return INT32;
        case "int64_t":
          return INT64;
        case "float":
          return FLOAT;
        default:
          throw new AssertionError("lrgrad.h uses a C type this test does not know: '" + declaration + "'");
      }
    }

    void assertLayout(MemoryLayout layout, String where) {
      if (this == POINTER) {
        assertTrue(layout instanceof AddressLayout, where + ": expected a pointer, got " + layout);
        return;
      }
      assertTrue(layout instanceof ValueLayout, where + ": expected a value layout, got " + layout);
      assertEquals(carrier, ((ValueLayout) layout).carrier(), where);
      assertEquals(bytes, layout.byteSize(), where + ": size in bytes");
    }
  }

  private static final class Declaration {
    final String name;
    final CType result;
    final List<CType> parameters = new ArrayList<>();

    Declaration(String name, CType result) {
      this.name = name;
      this.result = result;
    }
  }

  private static String headerWithoutComments() throws IOException {
    String text = new String(Files.readAllBytes(HEADER), StandardCharsets.UTF_8);
    return text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
  }

  private static Map<String, Declaration> declaredFunctions() throws IOException {
    Map<String, Declaration> functions = new TreeMap<>();
    Matcher m = FUNCTION.matcher(headerWithoutComments());
    while (m.find()) {
      Declaration d = new Declaration(m.group(2), CType.of(m.group(1)));
      String parameters = m.group(3).trim();
      if (!parameters.equals("void")) {
        for (String parameter : parameters.split(",")) {
          d.parameters.add(CType.of(parameter));
        }
      }
      functions.put(d.name, d);
    }
    return functions;
  }

  private static Class<?> bindings() throws ClassNotFoundException {
    return Class.forName(BINDINGS);
  }

  @Test
  void theHeaderParsesIntoTheFunctionsTheBridgesCall() throws IOException {
    Map<String, Declaration> functions = declaredFunctions();
    // Guards the parser: a regex that silently matched nothing would make the other tests vacuous.
    assertEquals(13, functions.size(), functions.keySet().toString());
    assertEquals(16, functions.get("lrgrad_sgemm").parameters.size());
    assertTrue(functions.get("lrgrad_abi_version").parameters.isEmpty());
  }

  @Test
  void everyDeclaredFunctionHasAGeneratedMethodAndDescriptorOfTheSameSignature() throws Exception {
    Class<?> bindings = bindings();
    NativeLibrary.load(); // the descriptor accessors resolve the symbol, which needs the library loaded
    for (Declaration d : declaredFunctions().values()) {
      Class<?>[] carriers = new Class<?>[d.parameters.size()];
      for (int i = 0; i < carriers.length; i++) {
        carriers[i] = d.parameters.get(i).carrier;
      }
      Method method = bindings.getMethod(d.name, carriers);
      assertTrue(Modifier.isStatic(method.getModifiers()), d.name + " is static");
      assertEquals(d.result.carrier, method.getReturnType(), d.name + " returns");

      FunctionDescriptor descriptor = (FunctionDescriptor) bindings.getMethod(d.name + "$descriptor").invoke(null);
      assertTrue(descriptor.returnLayout().isPresent(), d.name + " returns a value");
      d.result.assertLayout(descriptor.returnLayout().get(), d.name + " return");
      List<MemoryLayout> arguments = descriptor.argumentLayouts();
      assertEquals(d.parameters.size(), arguments.size(), d.name + " argument count");
      for (int i = 0; i < arguments.size(); i++) {
        d.parameters.get(i).assertLayout(arguments.get(i), d.name + " argument " + i);
      }
      assertNotNull(bindings.getMethod(d.name + "$address").invoke(null), d.name + " resolves");
    }
  }

  @Test
  void noGeneratedFunctionIsMissingFromTheHeader() throws Exception {
    TreeSet<String> generated = new TreeSet<>();
    for (Method method : bindings().getDeclaredMethods()) {
      if (Modifier.isPublic(method.getModifiers()) && method.getName().startsWith("lrgrad_")
          && !method.getName().contains("$")) {
        generated.add(method.getName());
      }
    }
    assertFalse(generated.isEmpty());
    assertEquals(declaredFunctions().keySet(), generated);
  }

  @Test
  void everyIntegerMacroHasTheHeadersValue() throws Exception {
    Class<?> bindings = bindings();
    Matcher m = CONSTANT.matcher(headerWithoutComments());
    int count = 0;
    while (m.find()) {
      Object value = bindings.getMethod(m.group(1)).invoke(null);
      assertEquals(Integer.parseInt(m.group(2)), value, m.group(1));
      count++;
    }
    assertEquals(10, count, "integer macros in lrgrad.h");
    assertEquals(NativeLibrary.ABI_VERSION, bindings.getMethod("LRGRAD_ABI_VERSION").invoke(null));
  }

  /**
   * The raw entry points are not public API: the generated classes are package-private in the wrapper's package, so
   * code outside it reaches the library only through {@link FfmKernels}, whose contract checks every size first.
   * Before, {@code org.lrgrad.ffm.generated.lrgrad_h} was public and let any caller pass C wrong sizes.
   */
  @Test
  void noPublicClassExposesTheRawEntryPoints() throws Exception {
    for (String name : new String[] {BINDINGS, BINDINGS + "$shared"}) {
      Class<?> generated = Class.forName(name);
      assertFalse(Modifier.isPublic(generated.getModifiers()), name + " must not be public");
    }
    assertThrows(ClassNotFoundException.class, () -> Class.forName("org.lrgrad.ffm.generated.lrgrad_h"));
    // No public class of the bridge's packages declares a public or protected member that takes or returns a
    // MemorySegment or a MethodHandle (the raw ways into C).
    for (String name : new String[] {"org.lrgrad.ffm.FfmKernels", "org.lrgrad.ffm.FfmKernelFactory",
        "org.lrgrad.jni.JniKernels", "org.lrgrad.jni.NativeLibrary"}) {
      Class<?> type = Class.forName(name);
      for (Method method : type.getDeclaredMethods()) {
        int modifiers = method.getModifiers();
        if (!Modifier.isPublic(modifiers) && !Modifier.isProtected(modifiers)) {
          continue;
        }
        List<Class<?>> types = new ArrayList<>(List.of(method.getParameterTypes()));
        types.add(method.getReturnType());
        for (Class<?> t : types) {
          assertFalse(t == MemorySegment.class || t == java.lang.invoke.MethodHandle.class,
              name + "." + method.getName() + " exposes " + t.getName());
        }
      }
    }
  }
}
