import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the C compiler command line given as arguments with the JNI include directories of the JDK that runs this
 * program added, and creates the directory of its {@code -o} output. Maven's exec plugin starts it with the build
 * toolchain's {@code java} (JDK 25), which is how the native code is compiled against that JDK's {@code jni.h}
 * while Maven itself may run on another JDK. Exits with the compiler's status.
 */
public final class JniCompile {
  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length == 0) {
      System.err.println("usage: java JniCompile.java COMPILER [ARGUMENT...]");
      System.exit(2);
    }
    Path jdk = Path.of(System.getProperty("java.home"));
    Path include = jdk.resolve("include");
    if (!Files.isRegularFile(include.resolve("jni.h"))) {
      System.err.println("JniCompile: " + include + " has no jni.h: java.home=" + jdk + " is not a full JDK");
      System.exit(2);
    }
    List<String> command = new ArrayList<>(List.of(args));
    command.addAll(1, List.of("-I" + include, "-I" + include.resolve("linux")));
    int output = command.indexOf("-o");
    if (output >= 0 && output + 1 < command.size()) {
      Path parent = Path.of(command.get(output + 1)).toAbsolutePath().getParent();
      Files.createDirectories(parent);
    }
    System.out.println("JniCompile (JDK " + Runtime.version() + "): " + String.join(" ", command));
    Process compiler = new ProcessBuilder(command).inheritIO().start();
    System.exit(compiler.waitFor());
  }
}
