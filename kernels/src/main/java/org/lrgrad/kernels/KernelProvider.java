package org.lrgrad.kernels;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.logging.Logger;

/**
 * Picks the implementation of the contract: the available one with the highest priority, unless
 * {@code -Dlrgrad.kernels=NAME} forces one. When a preferred implementation cannot run here, one log line says which
 * was taken instead, why, and how to fix it.
 *
 * <p>Known names: {@code vector} (Vector API, the JVM's preferred width), {@code vector-128} (Vector API at 128 bits,
 * NEON's width, for testing that code path on wider machines), {@code reference} (plain Java loops; runs
 * everywhere, Android included), and whatever other modules register as a {@link KernelFactory} service
 * ({@code jni}, {@code jni-scalar} and {@code ffm} come with {@code lrgrad-bridge-jni}). Names match in any case.
 * In a JVM started with {@code -Dlrgrad.vector.bits=128} the default runs 128-bit vectors: {@code vector-128} (see
 * {@link #vector128Priority}), or {@code vector}, the same code, where 128 bits is the preferred width.
 *
 * <p>Candidates are built lazily, each at most once: asking for {@code reference} builds nothing else (no native
 * library is loaded, no Vector API class linked). A candidate that cannot run here keeps its reason, so a bad request
 * fails with the same clear exception every time it is made.
 */
public final class KernelProvider {

  /** The system property that forces an implementation by name. */
  public static final String PROPERTY = "lrgrad.kernels";

  /** The artifact that provides the native bridges, for the message when it is missing. */
  static final String BRIDGE_ARTIFACT = "lrgrad-bridge-jni";
  private static final List<String> BRIDGE_NAMES = Arrays.asList("jni", "jni-scalar", "ffm");

  private static final Logger LOG = Logger.getLogger(KernelProvider.class.getName());
  private static final String VECTOR_CLASS = "org.lrgrad.kernels.vector.VectorKernels";
  /**
   * The system property that makes the Vector API kernels run 128-bit vectors ({@code vector-128}) instead of the
   * JVM's preferred width; read once per JVM, its value as {@link #vectorBits(String)} reads it.
   */
  public static final String VECTOR_BITS_PROPERTY = "lrgrad.vector.bits";
  /** The priority of {@code vector}, the highest of the built-in implementations. */
  private static final int VECTOR_PRIORITY = 100;

  /** Guarded by the class: the candidates once discovered, and the default once chosen. */
  private static List<Candidate> candidates;
  private static Kernels defaultKernels;

  private KernelProvider() {}

  /**
   * One implementation the provider knows, built on first use: {@link #isAvailable()}, {@link #kernels()} and
   * {@link #unavailableReason()} build it (once; later calls give the same answer).
   */
  public static final class Candidate {
    private final String name;
    private final int priority;
    /** Null once built. */
    private KernelFactory factory;
    private Kernels kernels;
    private String unavailableReason;

    /** A candidate already built: {@code kernels}, or null and the reason it is unavailable. */
    Candidate(String name, int priority, Kernels kernels, String unavailableReason) {
      this.name = name;
      this.priority = priority;
      this.kernels = kernels;
      this.unavailableReason = unavailableReason;
    }

    /** A candidate that {@code factory} builds on first use. */
    Candidate(KernelFactory factory) {
      this(factory.name(), factory.priority(), null, null);
      this.factory = factory;
    }

    public String name() {
      return name;
    }

    public int priority() {
      return priority;
    }

    /** Whether it runs here; builds it if that has not been tried. */
    public boolean isAvailable() {
      return built() != null;
    }

    /** The implementation; throws {@link IllegalStateException} with the reason when it is unavailable. */
    public Kernels kernels() {
      Kernels k = built();
      if (k == null) {
        throw new IllegalStateException("kernels '" + name + "' are unavailable: " + unavailableReason);
      }
      return k;
    }

    /** Why the implementation cannot run here and how to fix it; null when it is available. */
    public String unavailableReason() {
      return built() == null ? unavailableReason : null;
    }

    private synchronized Kernels built() {
      if (factory != null) {
        try {
          kernels = factory.create();
          if (kernels == null) {
            unavailableReason = "its factory " + factory.getClass().getName() + " returned null";
          }
        } catch (KernelUnavailableException e) {
          unavailableReason = e.getMessage();
        } catch (RuntimeException | LinkageError e) {
          // Kept, not rethrown: a class that failed to initialize would throw NoClassDefFoundError next time.
          unavailableReason = "failed to start: " + e;
        }
        factory = null;
      }
      return kernels;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Every implementation known on this JVM, highest priority first; each is built when first asked about. */
  public static synchronized List<Candidate> candidates() {
    if (candidates == null) {
      candidates = lazyCandidates(discover());
    }
    return candidates;
  }

  /**
   * The implementation to use: forced by {@value #PROPERTY}, else the best available. A bad request (an unknown or
   * unavailable name) throws the same exception on every call.
   */
  public static synchronized Kernels get() {
    if (defaultKernels == null) {
      defaultKernels = chooseDefault(candidates(), System.getProperty(PROPERTY));
    }
    return defaultKernels;
  }

  /** The implementation with this name; throws with the reason when it is unknown or cannot run here. */
  public static Kernels get(String name) {
    return find(candidates(), name).kernels();
  }

  /** The candidate named {@code name}, in any case ({@code JNI} is {@code jni}), as the method catalog's names. */
  private static Candidate find(List<Candidate> candidates, String name) {
    Checks.notNull("kernels name", name);
    for (Candidate c : candidates) {
      if (c.name.equalsIgnoreCase(name)) {
        return c;
      }
    }
    if (BRIDGE_NAMES.contains(name.toLowerCase(java.util.Locale.ROOT))) {
      throw new IllegalArgumentException("kernels '" + name + "' come with the " + BRIDGE_ARTIFACT + " artifact,"
          + " which is not on the class path: add " + BRIDGE_ARTIFACT + " (on Android, the lrgrad-android AAR);"
          + " known here: " + candidates);
    }
    throw new IllegalArgumentException("unknown kernels '" + name + "'; known: " + candidates);
  }

  static Kernels chooseDefault(List<Candidate> candidates, String forced) {
    if (forced != null && !forced.isEmpty()) {
      Candidate c = find(candidates, forced);
      if (!c.isAvailable()) {
        throw new IllegalStateException("-D" + PROPERTY + "=" + forced + " was requested, but it is unavailable: "
            + c.unavailableReason());
      }
      return c.kernels();
    }
    StringBuilder skipped = new StringBuilder();
    for (Candidate c : candidates) {
      if (c.isAvailable()) {
        if (skipped.length() > 0) {
          LOG.warning("lrgrad: using kernels '" + c.name + "'" + skipped);
        }
        return c.kernels();
      }
      skipped.append("; '").append(c.name).append("' is unavailable: ").append(c.unavailableReason());
    }
    throw new IllegalStateException("no kernels available" + skipped);
  }

  /** Candidates for {@code factories}, none built yet, highest priority first. */
  static List<Candidate> lazyCandidates(List<KernelFactory> factories) {
    List<Candidate> list = new ArrayList<>();
    for (KernelFactory f : factories) {
      list.add(new Candidate(f));
    }
    Collections.sort(list, new Comparator<Candidate>() {
      @Override
      public int compare(Candidate a, Candidate b) {
        return Integer.compare(b.priority, a.priority);
      }
    });
    return Collections.unmodifiableList(list);
  }

  /** The factories: the built-in ones and the services; instantiating a factory builds nothing. */
  private static List<KernelFactory> discover() {
    List<KernelFactory> factories = new ArrayList<>();
    factories.add(new ReferenceFactory());
    factories.add(new VectorFactory("vector", VECTOR_PRIORITY, 0));
    factories.add(new VectorFactory("vector-128", vector128Priority(System.getProperty(VECTOR_BITS_PROPERTY)), 128));
    Iterator<KernelFactory> services =
        ServiceLoader.load(KernelFactory.class, KernelProvider.class.getClassLoader()).iterator();
    // ServiceLoader goes on past a provider that fails; the bound stops a configuration that fails every time.
    for (int failures = 0; failures < 16; ) {
      try {
        if (!services.hasNext()) {
          break;
        }
        factories.add(services.next());
      } catch (ServiceConfigurationError | LinkageError e) {
        failures++;
        LOG.warning("lrgrad: a kernel factory listed in META-INF/services could not be instantiated: " + e);
      }
    }
    return factories;
  }

  /**
   * {@code vector-128}'s priority: low (it is there for tests on wider machines) unless this JVM was started with
   * {@code -Dlrgrad.vector.bits=128}, which asks for its width: then it ranks with {@code vector} (which such a JVM
   * cannot run), so that the default is {@code vector-128}, not the next implementation (the native kernels).
   */
  static int vector128Priority(String bitsProperty) {
    return bitsProperty != null && vectorBits(bitsProperty) == 128 ? VECTOR_PRIORITY : 10;
  }

  /**
   * The width in bits that a value of {@value #VECTOR_BITS_PROPERTY} asks for ({@code " 128"} and {@code "+128"} are
   * 128), or -1 when it is not an integer: the one reading of the property, for this provider and for the Vector API
   * layer, so that the two never disagree on what was asked.
   */
  public static int vectorBits(String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
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
