package org.lrgrad.kernels.vector;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import jdk.incubator.vector.VectorSpecies;
import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.KernelUnavailableException;

/**
 * The vector loops of {@link VectorKernels}, compiled for one float species.
 *
 * <p>The JIT turns Vector API calls into SIMD instructions only when the species is a compile-time constant (a
 * {@code static final}); a species held in an instance field runs the API's boxed fallback, about fifty times
 * slower. {@code vector} and {@code vector-128} live in the same JVM, so one class with one static species cannot
 * serve both. {@link #forSpecies} therefore defines the bytes of {@code SpeciesOpsTemplate} once per species as a
 * hidden class whose class data is that species: one source, and each copy sees its own constant.
 *
 * <p>Element-wise methods return how many leading elements (columns for the row-wise ops) they handled; the caller
 * finishes the remainder with the reference loops, which compute the same values.
 */
interface SpeciesOps {

  /** Floats per vector. */
  int lanes();

  /** Rows of C per micro-kernel tile (MR). */
  int tileRows();

  /** Columns of C per micro-kernel tile (NR). */
  int tileCols();

  /**
   * The rows [rowFrom, rowTo) × columns [colFrom, colTo) block of C ← α·op(A)·op(B) + β·C, single-threaded, with
   * k ≥ 1 and the contract's arguments. Every element's summation order depends only on (m, n, k) and its tile,
   * never on the block bounds, as long as they are multiples of {@link #tileRows()} / {@link #tileCols()}.
   */
  void gemmBlock(boolean transA, boolean transB, int rowFrom, int rowTo, int colFrom, int colTo, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc);

  int sgdStep(int len, float lr, float weightDecay, float[] p, int pOff, float[] g, int gOff);

  int momentumStep(int len, boolean firstStep, float lr, float momentum, float dampening, boolean nesterov,
      float weightDecay, float[] p, int pOff, float[] g, int gOff, float[] buf, int bufOff);

  int adamStep(int len, float lr, float beta1, float beta2, float eps, float weightDecay,
      boolean decoupledWeightDecay, AdamConvention convention, float stepScale, float sqrtBiasCorrection2,
      float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff);

  int adamDirection(int len, float beta1, float beta2, float eps, AdamConvention convention, float stepScale,
      float sqrtBiasCorrection2, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff, float[] out,
      int outOff);

  int relu(int len, float[] x, int xOff, float[] y, int yOff);

  int reluBackward(int len, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff);

  int biasAdd(int rows, int cols, float[] bias, int biasOff, float[] y, int yOff, int ldy);

  int biasGradient(int rows, int cols, float[] dy, int dyOff, int lddy, float[] db, int dbOff);

  /** The template's loops compiled for {@code species}, in a hidden class of their own. */
  static SpeciesOps forSpecies(VectorSpecies<Float> species) throws KernelUnavailableException {
    String template = "SpeciesOpsTemplate.class";
    byte[] bytes;
    try (InputStream in = SpeciesOps.class.getResourceAsStream(template)) {
      if (in == null) {
        throw new KernelUnavailableException("the class file " + template + " is missing beside "
            + SpeciesOps.class.getName() + "; fix: use the lrgrad-kernels jar as built (multi-release, Java 25 layer)");
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new KernelUnavailableException("reading " + template + " failed: " + e, e);
    }
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClassWithClassData(bytes, species, true);
      return (SpeciesOps) lookup.findConstructor(lookup.lookupClass(), MethodType.methodType(void.class)).invoke();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new KernelUnavailableException("defining the " + species + " kernels failed: " + e, e);
    }
  }
}
