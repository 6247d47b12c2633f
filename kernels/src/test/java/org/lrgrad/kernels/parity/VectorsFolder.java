package org.lrgrad.kernels.parity;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/**
 * Where a set of test vectors is: {@code -Dlrgrad.vectors.SET=DIR} (for instance {@code -Dlrgrad.vectors.pytorch}),
 * else the repository's own copy, {@code test-vectors/SET} under the repository root (see
 * {@code test-vectors/README.md}).
 */
final class VectorsFolder {
  static final String PROPERTY_PREFIX = "lrgrad.vectors.";

  private VectorsFolder() {}

  /** The PyTorch and GaLore cases. */
  static File locate() {
    return locate("pytorch");
  }

  /**
   * The folder holding {@code cases.json} of the set {@code set} ({@code pytorch}, {@code lowrank2}); fails with
   * where it looked and how to point at it.
   */
  static File locate(String set) {
    String property = PROPERTY_PREFIX + set;
    String forced = System.getProperty(property);
    File folder;
    String how;
    if (forced != null && !forced.isEmpty()) {
      folder = new File(forced).getAbsoluteFile();
      how = "from -D" + property + "=" + forced;
    } else {
      File root = repositoryRoot(new File(System.getProperty("user.dir")).getAbsoluteFile());
      if (root == null) {
        throw new IllegalStateException("test vectors '" + set + "': no repository root (a folder whose pom.xml"
            + " lists <module>kernels</module>) above the working directory " + System.getProperty("user.dir")
            + "; point at the vectors with -D" + property + "=/path/to/folder");
      }
      folder = new File(new File(root, "test-vectors"), set);
      how = "as <repository root>/test-vectors/" + set + ", the repository root being " + root;
    }
    if (!new File(folder, "cases.json").isFile()) {
      throw new IllegalStateException("test vectors '" + set + "': no cases.json in " + folder + " (" + how
          + "); point at a folder of cases with -D" + property + "=/path/to/folder (for Maven: mvn test -D"
          + property + "=...)");
    }
    return folder;
  }

  private static File repositoryRoot(File start) {
    for (File dir = start; dir != null; dir = dir.getParentFile()) {
      File pom = new File(dir, "pom.xml");
      try {
        if (pom.isFile() && new String(Files.readAllBytes(pom.toPath()), StandardCharsets.UTF_8)
            .contains("<module>kernels</module>")) {
          return dir;
        }
      } catch (IOException e) {
        throw new IllegalStateException("test vectors: cannot read " + pom + " while looking for the repository"
            + " root: " + e, e);
      }
    }
    return null;
  }
}
