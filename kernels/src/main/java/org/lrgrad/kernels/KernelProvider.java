package org.lrgrad.kernels;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.logging.Logger;
import org.lrgrad.kernels.reference.ReferenceKernels;

/**
 * Picks the implementation of the contract: the available one with the highest priority, unless
 * {@code -Dlrgrad.kernels=NAME} forces one. When a preferred implementation cannot run here, one log line says which
 * was taken instead, why, and how to fix it.
 *
 * <p>Known names: {@code vector} (Vector API, the JVM's preferred width), {@code vector-128} (Vector API at 128 bits,
 * NEON's width, for testing that code path on wider machines), {@code reference} (plain Java loops; runs
 * everywhere, Android included), and whatever other modules register as a {@link KernelFactory} service.
 */
public final class KernelProvider {

  /** The system property that forces an implementation by name. */
  public static final String PROPERTY = "lrgrad.kernels";

  private static final Logger LOG = Logger.getLogger(KernelProvider.class.getName());
  private static final String VECTOR_CLASS = "org.lrgrad.kernels.vector.VectorKernels";

  private KernelProvider() {}

  /** One implementation the provider knows: built, or with the reason it cannot run here. */
  public static final class Candidate {
    private final String name;
    private final int priority;
    private final Kernels kernels;
    private final String unavailableReason;

    Candidate(String name, int priority, Kernels kernels, String unavailableReason) {
      this.name = name;
      this.priority = priority;
      this.kernels = kernels;
      this.unavailableReason = unavailableReason;
    }

    public String name() {
      return name;
    }

    public int priority() {
      return priority;
    }

    public boolean isAvailable() {
      return kernels != null;
    }

    /** The implementation; throws {@link IllegalStateException} with the reason when it is unavailable. */
    public Kernels kernels() {
      if (kernels == null) {
        throw new IllegalStateException("kernels '" + name + "' are unavailable: " + unavailableReason);
      }
      return kernels;
    }

    /** Why the implementation cannot run here and how to fix it; null when it is available. */
    public String unavailableReason() {
      return unavailableReason;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static final class Candidates {
    static final List<Candidate> ALL = discover();
  }

  /** Apart from {@link Candidates}, so that asking for one implementation by name does not log a fallback. */
  private static final class DefaultKernels {
    static final Kernels INSTANCE = chooseDefault(Candidates.ALL, System.getProperty(PROPERTY));
  }

  /** Every implementation known on this JVM, highest priority first, each built once. */
  public static List<Candidate> candidates() {
    return Candidates.ALL;
  }

  /** The implementation to use: forced by {@value #PROPERTY}, else the best available. */
  public static Kernels get() {
    return DefaultKernels.INSTANCE;
  }

  /** The implementation with this name; throws with the reason when it is unknown or cannot run here. */
  public static Kernels get(String name) {
    return find(candidates(), name).kernels();
  }

  private static Candidate find(List<Candidate> candidates, String name) {
    for (Candidate c : candidates) {
      if (c.name.equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown kernels '" + name + "'; known: " + candidates);
  }

  static Kernels chooseDefault(List<Candidate> candidates, String forced) {
    if (forced != null && !forced.isEmpty()) {
      Candidate c = find(candidates, forced);
      if (!c.isAvailable()) {
        throw new IllegalStateException("-D" + PROPERTY + "=" + forced + " was requested, but it is unavailable: "
            + c.unavailableReason);
      }
      return c.kernels;
    }
    StringBuilder skipped = new StringBuilder();
    for (Candidate c : candidates) {
      if (c.isAvailable()) {
        if (skipped.length() > 0) {
          LOG.warning("lrgrad: using kernels '" + c.name + "'" + skipped);
        }
        return c.kernels;
      }
      skipped.append("; '").append(c.name).append("' is unavailable: ").append(c.unavailableReason);
    }
    throw new IllegalStateException("no kernels available" + skipped);
  }

  private static List<Candidate> discover() {
    List<KernelFactory> factories = new ArrayList<>();
    factories.add(new ReferenceFactory());
    factories.add(new VectorFactory("vector", 100, 0));
    factories.add(new VectorFactory("vector-128", 10, 128));
    for (KernelFactory f : ServiceLoader.load(KernelFactory.class, KernelProvider.class.getClassLoader())) {
      factories.add(f);
    }
    List<Candidate> candidates = new ArrayList<>();
    for (KernelFactory f : factories) {
      Kernels kernels = null;
      String reason = null;
      try {
        kernels = f.create();
      } catch (KernelUnavailableException e) {
        reason = e.getMessage();
      } catch (RuntimeException | LinkageError e) {
        reason = "failed to start: " + e;
      }
      candidates.add(new Candidate(f.name(), f.priority(), kernels, reason));
    }
    Collections.sort(candidates, new Comparator<Candidate>() {
      @Override
      public int compare(Candidate a, Candidate b) {
        return Integer.compare(b.priority, a.priority);
      }
    });
    return Collections.unmodifiableList(candidates);
  }

  private static final class ReferenceFactory implements KernelFactory {
    @Override
    public String name() {
      return "reference";
    }

    @Override
    public int priority() {
      return 0;
    }

    @Override
    public Kernels create() {
      return new ReferenceKernels();
    }
  }

  /**
   * Loads the Vector API layer by reflection: its classes are in the jar's {@code META-INF/versions/25}, so a JVM
   * older than 25 (or Android) never links them.
   */
  private static final class VectorFactory implements KernelFactory {
    private final String name;
    private final int priority;
    private final int bits;

    VectorFactory(String name, int priority, int bits) {
      this.name = name;
      this.priority = priority;
      this.bits = bits;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public int priority() {
      return priority;
    }

    @Override
    public Kernels create() throws KernelUnavailableException {
      try {
        Class.forName("jdk.incubator.vector.FloatVector");
      } catch (ClassNotFoundException | LinkageError e) {
        throw new KernelUnavailableException("the Vector API (module jdk.incubator.vector) is not in this JVM's"
            + " module graph; fix: run on JDK 25 or newer with --add-modules jdk.incubator.vector");
      }
      Class<?> implementation;
      try {
        implementation = Class.forName(VECTOR_CLASS);
      } catch (ClassNotFoundException | LinkageError e) {
        throw new KernelUnavailableException("the Vector API layer (" + VECTOR_CLASS + ", in the jar's"
            + " META-INF/versions/25) did not load on java.version=" + System.getProperty("java.version")
            + " (" + e + "); fix: run on JDK 25 or newer with the lrgrad-kernels jar on the class path");
      }
      try {
        return (Kernels) implementation.getConstructor(int.class).newInstance(bits);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof KernelUnavailableException) {
          throw (KernelUnavailableException) e.getCause();
        }
        throw new KernelUnavailableException("the Vector API kernels failed to start: " + e.getCause(), e);
      } catch (ReflectiveOperationException e) {
        throw new KernelUnavailableException("the Vector API kernels failed to start: " + e, e);
      }
    }
  }
}
