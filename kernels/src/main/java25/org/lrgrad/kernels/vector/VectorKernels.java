package org.lrgrad.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.lrgrad.kernels.KernelUnavailableException;
import org.lrgrad.kernels.reference.ReferenceKernels;

/** The contract on the Vector API. (Placeholder: inherits the reference loops until the SIMD kernels land.) */
public class VectorKernels extends ReferenceKernels {
  private final VectorSpecies<Float> species;

  /** @param bits the vector width in bits, or 0 for the JVM's preferred width */
  public VectorKernels(int bits) throws KernelUnavailableException {
    this.species = bits == 0 ? FloatVector.SPECIES_PREFERRED
        : FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(bits));
  }

  @Override
  public String name() {
    return species.vectorBitSize() == FloatVector.SPECIES_PREFERRED.vectorBitSize() ? "vector" : "vector-" + species.vectorBitSize();
  }
}
