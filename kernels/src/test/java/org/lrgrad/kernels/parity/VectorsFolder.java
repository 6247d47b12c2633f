package org.lrgrad.kernels.parity;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/**
 * Where the PyTorch vectors are: {@code -Dlrgrad.vectors=DIR}, else {@code shared/vectors} beside the repository
 * (the layout of a worktree and of CI, where the clone has {@code shared/} next to it).
 */
final class VectorsFolder {
  static final String PROPERTY = "lrgrad.vectors";

  private VectorsFolder() {}

  /** The folder holding {@code cases.json}; fails with where it looked and how to point at it. */
  static File locate() {
    String forced = System.getProperty(PROPERTY);
    File folder;
    String how;
    if (forced != null && !forced.isEmpty()) {
      folder = new File(forced).getAbsoluteFile();
      how = "from -D" + PROPERTY + "=" + forced;
    } else {
      File root = repositoryRoot(new File(System.getProperty("user.dir")).getAbsoluteFile());
      if (root == null) {
        throw new IllegalStateException("PyTorch vectors: no repository root (a folder whose pom.xml lists"
            + " <module>kernels</module>) above the working directory " + System.getProperty("user.dir")
            + "; point at the vectors with -D" + PROPERTY + "=/path/to/shared/vectors");
      }
      folder = new File(new File(root.getParentFile(), "shared"), "vectors");
      how = "as <repository root>/../shared/vectors, the repository root being " + root;
    }
    if (!new File(folder, "cases.json").isFile()) {
      throw new IllegalStateException("PyTorch vectors: no cases.json in " + folder + " (" + how + "); put the"
          + " shared folder beside the repository or point at the vectors with -D" + PROPERTY
          + "=/path/to/shared/vectors (for Maven: mvn test -D" + PROPERTY + "=...)");
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
        throw new IllegalStateException("PyTorch vectors: cannot read " + pom + " while looking for the repository"
            + " root: " + e, e);
      }
    }
    return null;
  }
}
