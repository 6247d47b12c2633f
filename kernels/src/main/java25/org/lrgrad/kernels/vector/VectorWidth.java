package org.lrgrad.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.lrgrad.kernels.KernelProvider;

/**
 * The one vector width of this JVM's Vector API kernels, chosen when this class initializes: the JVM's preferred
 * width, or 128 bits (NEON's) when {@value #BITS_PROPERTY}{@code =128} says so, which lets the 128-bit code run on a
 * wider machine (as Lucene forces its vector size for tests). One width per JVM, as an application has it: the loops
 * then hold their species in a {@code static final}, the only form the JIT compiles to SIMD instructions.
 */
final class VectorWidth {
  /** The system property that forces the width in bits; read once per JVM. */
  static final String BITS_PROPERTY = KernelProvider.VECTOR_BITS_PROPERTY;

  /** The forced width, the only one the property accepts besides the preferred width. */
  static final int NARROW_BITS = 128;

  /** The JVM's preferred width in bits. */
  static final int PREFERRED_BITS = FloatVector.SPECIES_PREFERRED.vectorBitSize();

  /** Why the property's value cannot be used (then the kernels are unavailable), or null. */
  static final String PROBLEM;

  /** The species of every loop; the preferred one when {@link #PROBLEM} is set, so that nothing runs on a guess. */
  static final VectorSpecies<Float> SPECIES;

  static {
    String value = System.getProperty(BITS_PROPERTY);
    String problem = null;
    int bits = PREFERRED_BITS;
    if (value != null && !value.trim().isEmpty()) {
      int asked = KernelProvider.vectorBits(value);
      if (asked == PREFERRED_BITS || (asked == NARROW_BITS && NARROW_BITS < PREFERRED_BITS)) {
        bits = asked;
      } else {
        problem = "-D" + BITS_PROPERTY + "=" + value + " must be " + NARROW_BITS + " or this JVM's preferred width, "
            + PREFERRED_BITS + " (bits of a float vector); fix: set one of those or leave it unset";
      }
    }
    PROBLEM = problem;
    SPECIES = bits == PREFERRED_BITS ? FloatVector.SPECIES_PREFERRED
        : FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(bits));
  }

  private VectorWidth() {}

  /** The width in bits this JVM's kernels run at. */
  static int bits() {
    return SPECIES.vectorBitSize();
  }
}
