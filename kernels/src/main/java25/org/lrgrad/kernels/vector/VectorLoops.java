package org.lrgrad.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.Subnormals;

/**
 * The vector loops of {@link VectorKernels}, at this JVM's one vector width ({@link VectorWidth}): the JIT turns
 * Vector API calls into SIMD instructions only when the species is a compile-time constant, which {@link #S}, a
 * {@code static final}, is.
 *
 * <p>Element-wise methods return how many leading elements (columns for the row-wise ops) they handled; the caller
 * runs the reference loops on the remainder. They use exactly the reference's operations in the reference's order
 * (IEEE operations, correctly rounded per lane, no contraction into FMA), so they produce the reference's bits.
 *
 * <p>Rules that keep the JIT from boxing vectors (which allocates on every call and is several times slower): no
 * helper takes or returns a vector, and every vector operation sits in a method with a hot loop (a call the JIT does
 * not inline boxes its vector arguments; code left to C1 boxes every operation); scalars are broadcast once before a
 * loop, never combined with a vector inside it.
 */
final class VectorLoops {
  /** This JVM's float species, a constant. */
  static final VectorSpecies<Float> S = VectorWidth.SPECIES;
  private static final int L = S.length();

  // sgemm: Goto/BLIS blocking. The micro-kernel keeps an MR×NR tile of C in MR·2 vector registers, plus two vectors
  // of B and one broadcast of A. A packed A block is stored in panels of MR rows, k-major (MR floats per step of k),
  // so that the micro-kernel reads A through one index: at 16 lanes (AVX-512, 32 registers) twelve rows (27
  // registers); at 8 lanes (AVX2, 16 registers) six rows (15); at 4 lanes, NEON's width, eight rows (19 of AArch64's
  // 32). Measured on an AVX-512 host, the micro-kernel alone on data in L1 (a throwaway timing loop): twelve packed
  // rows 175 GFLOP/s, six packed rows 151, six rows read in place 143 (2026-12-06). A read in place (not packed, when
  // it is not reused enough) goes through a second micro-kernel that takes each row where it is: one index per row,
  // so fewer rows (six, or eight at 4 lanes). A B panel (KC×NR) stays in L1 and is reused across the MC rows of an A
  // block that stays in L2; a B block (KC×NC) is reused across A blocks. Every element of C is summed in the same
  // order by either micro-kernel (one fused multiply-add per step of k, the same depth blocks), so the choice of
  // kernel and tile never changes a result.
  private static final int MR = L == 4 ? 8 : L == 8 ? 6 : 12;
  private static final int MR_IN_PLACE = L == 4 ? 8 : 6;
  /** Vectors that hold a packed A panel's MR floats at one step of k: the last one may run past them. */
  private static final int PANEL_A_VECTORS = (MR + L - 1) / L;
  private static final int NR = 2 * L;
  private static final int KC = 256;
  private static final int MC = 24 * MR;
  private static final int NC = 128 * NR;
  /** Up to this many NR-wide column panels, A is read in place instead of packed: it is not reused enough. */
  private static final int STREAM_A_MAX_PANELS = 4;
  /**
   * In a shallow product (see gemmBlock) with up to this many rows of C, a B stored as is (not transposed) is read in
   * place, ldb apart, instead of packed: each B panel then serves at most four row tiles, and packing it costs more
   * than it saves. A deeper B panel read in place is slower than packed (its rows, thousands of floats apart, fall
   * in the same few cache sets): 32×1024·1024×1024 ran at 113 GFLOP/s in place against 139 packed, while the
   * low-rank step's 32×64·64×1024 ran in 39 µs against 56 (SgemmTime, a throwaway timing loop, 2026-12-06).
   */
  private static final int B_IN_PLACE_MAX_ROWS = 4 * MR;
  /**
   * With up to {@link #B_IN_PLACE_MAX_ROWS} rows of C, a deep B stored as is is read in place too when its stored
   * rows are at most this many floats apart (1 KB): a panel's KC rows then lie in a few consecutive pages, not in
   * the same few cache sets. On an AVX-512 host, one thread (SgemmTime, a throwaway timing loop, 2026-12-07, µs per
   * call, in place against packed): 32×1024·1024×64 (the low-rank step's dY·B) 45 against 55, ·1024×256 143 against
   * 176, but ·1024×512 377 against 348 and ·1024×1024 968 against 829; at 8 and at 4 lanes the first two gain 3–10%.
   */
  private static final int B_IN_PLACE_MAX_LDB = 256;
  /** B panels packed together for a single A block: reading B's rows in runs of this many panels. */
  private static final int GROUP_PANELS = 8;
  /**
   * Whether the transposing copies (C's for a swapped product, a transposed B's packing) gather: at 8 and 16 lanes,
   * where x86 has a gather instruction. 2.5–3× faster than element by element on 32×1024 and 1024×32 on an AVX-512
   * host (a throwaway timing loop, 2026-12-06); at 4 lanes (NEON, vector-128) the copies stay element by element.
   */
  private static final boolean GATHERS = L >= 8;
  /** Rows or columns of a block of {@link #transpose}. */
  private static final int TRANSPOSE_BLOCK = 64;
  /** Depth blocks up to this deep sweep C by rows (see gemmBlock); products up to this deep never swap. */
  private static final int SHALLOW_KC = 64;
  /** The most rows of C for which a product may run as its transpose (see {@link #swaps}). */
  private static final int SWAP_MAX_ROWS = Math.min(STREAM_A_MAX_PANELS * NR, 64);

  private VectorLoops() {}

  /** Floats per vector. */
  static int lanes() {
    return L;
  }

  /** Rows of C per micro-kernel tile (MR). */
  static int tileRows() {
    return MR;
  }

  /** Columns of C per micro-kernel tile (NR). */
  static int tileCols() {
    return NR;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // sgemm

  /**
   * The rows [rowFrom, rowTo) × columns [colFrom, colTo) block of C ← α·op(A)·op(B) + β·C, single-threaded, with
   * k ≥ 1 and the contract's arguments. Every element's summation order depends only on (m, n, k) and its tile,
   * never on the block bounds, as long as they are multiples of {@link #tileRows()} / {@link #tileCols()}.
   */
  static void gemmBlock(boolean transA, boolean transB, int rowFrom, int rowTo, int colFrom, int colTo, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff,
      int ldc) {
    GemmWorkspace ws = GemmWorkspace.current();
    // Equal depth blocks (k = 257 runs as 128 + 129, not 256 + 1): the split depends on k alone, so every element
    // of C sums in the same order whatever block or thread computes it.
    int kBlocks = (k + KC - 1) / KC;
    int kcMax = (k + kBlocks - 1) / kBlocks;
    boolean streamA = !transA && colTo - colFrom <= STREAM_A_MAX_PANELS * NR;
    // A shallow product is bound by its stores to C: tiles then sweep C row block by row block, so that each row of
    // C is written as one stream, over a B block packed once.
    boolean shallow = kcMax <= SHALLOW_KC;
    // Otherwise, with a single A block, B is packed a group of panels at a time, used while it is still in cache.
    boolean packBBlock = shallow || rowTo - rowFrom > MC;
    boolean bInPlace = (shallow || ldb <= B_IN_PLACE_MAX_LDB) && !transB && rowTo - rowFrom <= B_IN_PLACE_MAX_ROWS;
    int groupCols = packBBlock ? NC : GROUP_PANELS * NR;
    int mr = streamA ? MR_IN_PLACE : MR;
    ws.tile = GemmWorkspace.atLeast(ws.tile, MR * NR);
    if (!streamA) {
      ws.a = GemmWorkspace.atLeast(ws.a, roundUp(Math.min(MC, rowTo - rowFrom), MR) * kcMax);
    }
    ws.b = GemmWorkspace.atLeast(ws.b, kcMax * roundUp(Math.min(groupCols, colTo - colFrom), NR));
    float[] tile = ws.tile, aBlock = ws.a, bPacked = ws.b;
    for (int jc = colFrom; jc < colTo; jc += NC) {
      int nc = Math.min(NC, colTo - jc);
      // With B in place, only a last, narrower panel is packed (zero-padded to NR): it is read from bPacked[0].
      int inPlaceCols = bInPlace ? nc / NR * NR : 0;
      for (int kb = 0, pc = 0; kb < kBlocks; kb++) {
        int kc = (k - pc) / (kBlocks - kb);
        // Later depth blocks add to what the first one stored.
        float blockBeta = pc == 0 ? beta : 1f;
        if (bInPlace) {
          if (inPlaceCols < nc) {
            packBPanels(false, b, bOff, ldb, pc, kc, jc + inPlaceCols, nc - inPlaceCols, bPacked);
          }
        } else if (packBBlock) {
          packBPanels(transB, b, bOff, ldb, pc, kc, jc, nc, bPacked);
        }
        int bRow = bOff + pc * ldb + jc;
        for (int ic = rowFrom; ic < rowTo; ic += MC) {
          int mc = Math.min(MC, rowTo - ic);
          // Row r of the A block: aSrc[aRow0 + r*aLd + p].
          float[] aSrc = aBlock;
          int aRow0 = 0, aLd = kc;
          if (streamA) {
            aSrc = a;
            aRow0 = aOff + ic * lda + pc;
            aLd = lda;
          } else {
            packA(transA, a, aOff, lda, ic, mc, pc, kc, aBlock);
          }
          int cBlock = cOff + ic * ldc + jc;
          if (shallow) {
            for (int ir = 0; ir < mc; ir += mr) {
              for (int jr = 0; jr < nc; jr += NR) {
                boolean direct = jr < inPlaceCols;
                tile(streamA, kc, aSrc, aRow0, aLd, ir, Math.min(mr, mc - ir), direct ? b : bPacked,
                    direct ? bRow + jr : bInPlace ? 0 : jr * kc, direct ? ldb : NR, c, cBlock + ir * ldc + jr, ldc,
                    Math.min(NR, nc - jr), alpha, blockBeta, tile);
              }
            }
            continue;
          }
          for (int jg = 0; jg < nc; jg += groupCols) {
            int gcols = Math.min(groupCols, nc - jg);
            if (!packBBlock && !bInPlace) {
              packBPanels(transB, b, bOff, ldb, pc, kc, jc + jg, gcols, bPacked);
            }
            int bGroup = packBBlock ? jg * kc : 0;
            for (int jr = 0; jr < gcols; jr += NR) {
              boolean direct = jg + jr < inPlaceCols;
              for (int ir = 0; ir < mc; ir += mr) {
                tile(streamA, kc, aSrc, aRow0, aLd, ir, Math.min(mr, mc - ir), direct ? b : bPacked,
                    direct ? bRow + jg + jr : bInPlace ? 0 : bGroup + jr * kc, direct ? ldb : NR, c,
                    cBlock + ir * ldc + jg + jr, ldc, Math.min(NR, gcols - jr), alpha, blockBeta, tile);
              }
            }
          }
        }
        pc += kc;
      }
    }
  }

  /**
   * Whether C ← α·op(A)·op(B) + β·C runs as its transpose, Cᵀ ← α·op(B)ᵀ·op(A)ᵀ + β·Cᵀ, into a buffer: when op(A) is
   * short, a batch of rows, B is stored transposed, as in a layer's forward pass x·Wᵀ, and the product is deep. As
   * Cᵀ's product, B is the A side, read in place once, and only op(A), the short side, is packed; run as it is, all
   * of B is packed (transposed) for the few row tiles that use it. Every element of C sums the same products in the
   * same order (a·b = b·a in each fused multiply-add), so the choice never changes a result, only the time.
   *
   * <p>Measured on an AVX-512 host, one thread, C ← A·Bᵀ with n = 1024 (SgemmTime, a throwaway timing loop,
   * 2026-12-06, µs per call, as the transpose against as it is): m = 32, k = 1024: 691 against 898; k = 128: 82
   * against 95; but shallow, k = 64 (the low-rank step's (x·Qᵀ)·Bᵀ with β = 1): 65 against 54, and k = 16: 37 against
   * 19 (the two copies of C cost more than packing a shallow B); and from m = 96 on, as it is wins at every depth
   * (m = 128: 209 against 128 at k = 64, 2768 against 2335 at k = 1024); m = 64 is even. At 128 bits the shallow case
   * is the same (162 against 120 µs) and m = 32, k = 1024 still wins as the transpose (1904 against 2080).
   */
  static boolean swaps(boolean transB, int m, int n, int k) {
    return transB && m <= SWAP_MAX_ROWS && n > m && k > SHALLOW_KC;
  }

  /**
   * dst[j·ldd + i] ← src[i·lds + j] for i < rows, j < cols. With gathers ({@link #GATHERS}), a vector of L rows at a
   * time: each column of the block is one gather, stored as a run of the destination. Otherwise element by element:
   * the side with the longer rows (C, thousands of floats apart) is walked along its rows, so that its lines, which
   * fall in the same few cache sets, are each touched in one run; the other side's lines for a block of
   * TRANSPOSE_BLOCK rows or columns stay in L1 meanwhile.
   */
  static void transpose(int rows, int cols, float[] src, int srcOff, int lds, float[] dst, int dstOff, int ldd) {
    int gathered = 0;
    if (GATHERS && rows >= L) {
      int[] index = gatherIndex(lds);
      gathered = rows / L * L;
      for (int i0 = 0; i0 < gathered; i0 += L) {
        gatherColumns(cols, src, srcOff + i0 * lds, index, dst, dstOff + i0, ldd);
      }
    }
    transposeByElement(rows - gathered, cols, src, srcOff + gathered * lds, lds, dst, dstOff + gathered, ldd);
  }

  private static void transposeByElement(int rows, int cols, float[] src, int srcOff, int lds, float[] dst,
      int dstOff, int ldd) {
    if (lds >= ldd) {
      for (int j0 = 0; j0 < cols; j0 += TRANSPOSE_BLOCK) {
        int j1 = Math.min(cols, j0 + TRANSPOSE_BLOCK);
        for (int i = 0; i < rows; i++) {
          for (int j = j0, s = srcOff + i * lds + j0, d = dstOff + j0 * ldd + i; j < j1; j++, s++, d += ldd) {
            dst[d] = src[s];
          }
        }
      }
    } else {
      for (int i0 = 0; i0 < rows; i0 += TRANSPOSE_BLOCK) {
        int i1 = Math.min(rows, i0 + TRANSPOSE_BLOCK);
        for (int j = 0; j < cols; j++) {
          for (int i = i0, s = srcOff + i0 * lds + j, d = dstOff + j * ldd + i0; i < i1; i++, s += lds, d++) {
            dst[d] = src[s];
          }
        }
      }
    }
  }

  /** This thread's gather offsets {0, ld, 2·ld, …, (L−1)·ld}: L rows ld apart, one lane each. */
  private static int[] gatherIndex(int ld) {
    int[] index = GemmWorkspace.current().gatherIndex;
    for (int l = 0; l < L; l++) {
      index[l] = l * ld;
    }
    return index;
  }

  /**
   * dst[dstOff + t·dstStep + l] ← src[srcOff + index[l] + t] for l < L, t < count: down {@code count} columns of
   * the L source rows that {@code index} picks (see {@link #gatherIndex}), one gather per column, stored as a run.
   */
  private static void gatherColumns(int count, float[] src, int srcOff, int[] index, float[] dst, int dstOff,
      int dstStep) {
    for (int t = 0; t < count; t++) {
      FloatVector.fromArray(S, src, srcOff + t, index, 0).intoArray(dst, dstOff + t * dstStep);
    }
  }

  private static int roundUp(int x, int multiple) {
    return (x + multiple - 1) / multiple * multiple;
  }

  /**
   * op(A)[i0 : i0+mc, p0 : p0+kc] into dst as consecutive panels of MR rows, each k-major (MR floats per step of k):
   * element (i, p) at (i / MR)·MR·kc + p·MR + i % MR. Rows past mc in the last panel are zero (their results are
   * dropped).
   */
  private static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
      float[] dst) {
    if (!transA) {
      // Written in order, read from the panel's rows side by side (each row read forward). With gathers, a panel
      // with at least L rows of the block from its first is one gather per step of k: its L − MR extra lanes read
      // rows that exist and write into the panel's next step of k (or the next panel's first), written after it.
      // On an AVX-512 host, one thread, 256³ ran at 141 GFLOP/s against 124 element by element, 512³ at 134
      // against 130 (SgemmTime, a throwaway timing loop, 2026-12-07).
      int gatheredPanels = GATHERS && L >= MR ? Math.max(0, mc - L + MR) / MR * MR : 0;
      if (gatheredPanels > 0) {
        int[] index = gatherIndex(lda);
        for (int panel = 0; panel < gatheredPanels; panel += MR) {
          gatherColumns(kc, a, aOff + (i0 + panel) * lda + p0, index, dst, panel * kc, MR);
        }
      }
      for (int panel = gatheredPanels; panel < mc; panel += MR) {
        int rows = Math.min(MR, mc - panel);
        int src = aOff + (i0 + panel) * lda + p0;
        for (int p = 0, d = panel * kc; p < kc; p++, d += MR) {
          for (int r = 0, at = src + p; r < rows; r++, at += lda) {
            dst[d + r] = a[at];
          }
        }
      }
    } else {
      // op(A)[i][p] = a[p*lda + i]: read each stored row once, contiguously; write MR floats in a run per panel.
      // Whole vectors, the last one running up to L − MR floats past the panel: in dst into the panel's next step
      // of k, written after it; in a into the stored row p + 1, which exists and is longer than that. The last step
      // goes element by element (its next place in dst is the next panel's first, already written). Masked vectors
      // would fit exactly, but they fell off the JIT's fast path here (NoAllocationTest saw them allocate).
      int whole = mc / MR * MR;
      for (int p = 0; p < kc; p++) {
        int src = aOff + (p0 + p) * lda + i0;
        int vectorPanels = p == kc - 1 ? 0 : whole;
        for (int panel = 0; panel < vectorPanels; panel += MR) {
          int d = panel * kc + p * MR;
          for (int v = 0; v < PANEL_A_VECTORS * L; v += L) {
            FloatVector.fromArray(S, a, src + panel + v).intoArray(dst, d + v);
          }
        }
        for (int panel = vectorPanels; panel < mc; panel += MR) {
          int d = panel * kc + p * MR;
          for (int r = 0, rows = Math.min(MR, mc - panel); r < rows; r++) {
            dst[d + r] = a[src + panel + r];
          }
        }
      }
    }
    int padded = roundUp(mc, MR);
    if (padded > mc) {
      int panel = mc / MR * MR * kc;
      for (int p = 0; p < kc; p++) {
        for (int r = mc % MR; r < MR; r++) {
          dst[panel + p * MR + r] = 0f;
        }
      }
    }
  }

  /**
   * op(B)[p0 : p0+kc, j0 : j0+cols] into dst as consecutive kc×NR panels, each row-major; columns past {@code cols}
   * in the last panel are zero, so the micro-kernel always runs a full tile. Stored B is read in its own order (rows
   * of B, or of Bᵀ), so that every read continues the previous one.
   */
  private static void packBPanels(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int cols,
      float[] dst) {
    int whole = cols / NR * NR;
    if (!transB) {
      for (int p = 0, src = bOff + p0 * ldb + j0; p < kc; p++, src += ldb) {
        for (int j = 0, d = p * NR; j < whole; j += NR, d += kc * NR) {
          FloatVector.fromArray(S, b, src + j).intoArray(dst, d);
          FloatVector.fromArray(S, b, src + j + L).intoArray(dst, d + L);
        }
        for (int j = whole, d = whole * kc + p * NR - whole; j < cols; j++) {
          dst[d + j] = b[src + j];
        }
      }
    } else {
      // op(B)[p][j] = b[j*ldb + p]: each half panel (L stored rows) a gather per p, when the copies gather.
      int gathered = 0;
      if (GATHERS) {
        int[] index = gatherIndex(ldb);
        gathered = cols / L * L;
        for (int j = 0; j < gathered; j += L) {
          gatherColumns(kc, b, bOff + (j0 + j) * ldb + p0, index, dst, (j / NR) * kc * NR + j % NR, NR);
        }
      }
      for (int j = gathered; j < cols; j++) {
        int src = bOff + (j0 + j) * ldb + p0;
        int d = (j / NR) * kc * NR + j % NR;
        for (int p = 0; p < kc; p++) {
          dst[d + p * NR] = b[src + p];
        }
      }
    }
    if (whole < cols) {
      int d = whole * kc;
      for (int p = 0; p < kc; p++) {
        for (int j = cols - whole; j < NR; j++) {
          dst[d + p * NR + j] = 0f;
        }
      }
    }
  }

  /** The tile at rows [ir, ir + rows) of the block: A packed (panels of MR rows) or read in place. */
  private static void tile(boolean inPlace, int kc, float[] a, int aRow0, int aLd, int ir, int rows, float[] b,
      int bIdx, int bStep, float[] c, int cIdx, int ldc, int cols, float alpha, float beta, float[] tile) {
    if (inPlace && rows == MR_IN_PLACE && cols == NR) {
      microKernelInPlaceWhole(kc, a, aRow0 + ir * aLd, aLd, b, bIdx, bStep, c, cIdx, ldc, alpha, beta);
    } else if (inPlace) {
      microKernelInPlace(kc, a, aRow0 + ir * aLd, aLd, rows, b, bIdx, bStep, c, cIdx, ldc, cols, alpha, beta, tile);
    } else if (rows == MR && cols == NR && beta != 0f) {
      microKernelPackedAccumulate(kc, a, ir * kc, b, bIdx, bStep, c, cIdx, ldc, alpha, beta);
    } else {
      microKernelPacked(kc, a, ir * kc, rows, b, bIdx, bStep, c, cIdx, ldc, cols, alpha, beta, tile);
    }
  }

  /**
   * C tile ← α·Σp A[r][p]·B[p][j] + β·C tile, for r < rows ≤ MR and j < cols ≤ NR, over kc steps, A packed: the
   * panel's (r, p) at a[aIdx + p*MR + r]; the B panel is kc×NR at b[bIdx], its rows bStep apart (NR packed, ldb
   * in place). β = 0 does not read C. Rows past MR are constant-folded away when MR is 6 or 8; at MR = 12 a tile of
   * at most eight rows (the last of a 32-row batch: 12 + 12 + 8) skips the last four rows' multiply-adds, whose
   * results it would not store. Its other rows are summed as before, so the bits do not change. On an AVX-512 host,
   * one thread (SgemmTime, a throwaway timing loop, 2026-12-07, µs per call, skipping against not): 32×1024·1024×1024
   * 842 and 851 against 884 and 881; 32×1024·(1024×64)ᵀ with β = 1 53.0 and 53.8 against 57.6 and 57.1.
   */
  private static void microKernelPacked(int kc, float[] a, int aIdx, int rows, float[] b, int bIdx, int bStep,
      float[] c, int cIdx, int ldc, int cols, float alpha, float beta, float[] tile) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00;
    FloatVector c90 = c00, c91 = c00, ca0 = c00, ca1 = c00, cb0 = c00, cb1 = c00;
    for (int p = 0; p < kc; p++) {
      int bp = bIdx + p * bStep;
      int ap = aIdx + p * MR;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector x = FloatVector.broadcast(S, a[ap]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, a[ap + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(S, a[ap + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(S, a[ap + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      x = FloatVector.broadcast(S, a[ap + 4]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      x = FloatVector.broadcast(S, a[ap + 5]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
      if (MR >= 8) {
        x = FloatVector.broadcast(S, a[ap + 6]);
        c60 = x.fma(b0, c60);
        c61 = x.fma(b1, c61);
        x = FloatVector.broadcast(S, a[ap + 7]);
        c70 = x.fma(b0, c70);
        c71 = x.fma(b1, c71);
      }
      if (MR == 12 && rows > 8) {
        x = FloatVector.broadcast(S, a[ap + 8]);
        c80 = x.fma(b0, c80);
        c81 = x.fma(b1, c81);
        x = FloatVector.broadcast(S, a[ap + 9]);
        c90 = x.fma(b0, c90);
        c91 = x.fma(b1, c91);
        x = FloatVector.broadcast(S, a[ap + 10]);
        ca0 = x.fma(b0, ca0);
        ca1 = x.fma(b1, ca1);
        x = FloatVector.broadcast(S, a[ap + 11]);
        cb0 = x.fma(b0, cb0);
        cb1 = x.fma(b1, cb1);
      }
    }
    // A whole tile with β = 0 goes straight to C (the same operations as storeTile, so the same bits): through the
    // buffer, its 2·MR vectors would be stored and loaded again (9% of a 1024³ product's time, measured with JFR).
    // Only β = 0: with a second copy of these stores for β ≠ 0 the method outgrew what C1 compiles ("out of virtual
    // registers in linear scan"), and then it never reached C2 and boxed every vector (VectorKernelsTest's allocation
    // probe caught it); whole tiles with β ≠ 0 run in microKernelPackedAccumulate instead. Other tiles (the edges of
    // C) go through the buffer, stored here rather than in a helper: a helper taking vectors that the JIT does not
    // inline would box them.
    if (rows == MR && cols == NR && beta == 0f) {
      FloatVector va = FloatVector.broadcast(S, alpha);
      c00.mul(va).intoArray(c, cIdx);
      c01.mul(va).intoArray(c, cIdx + L);
      c10.mul(va).intoArray(c, cIdx + 1 * ldc);
      c11.mul(va).intoArray(c, cIdx + 1 * ldc + L);
      c20.mul(va).intoArray(c, cIdx + 2 * ldc);
      c21.mul(va).intoArray(c, cIdx + 2 * ldc + L);
      c30.mul(va).intoArray(c, cIdx + 3 * ldc);
      c31.mul(va).intoArray(c, cIdx + 3 * ldc + L);
      c40.mul(va).intoArray(c, cIdx + 4 * ldc);
      c41.mul(va).intoArray(c, cIdx + 4 * ldc + L);
      c50.mul(va).intoArray(c, cIdx + 5 * ldc);
      c51.mul(va).intoArray(c, cIdx + 5 * ldc + L);
      if (MR >= 8) {
        c60.mul(va).intoArray(c, cIdx + 6 * ldc);
        c61.mul(va).intoArray(c, cIdx + 6 * ldc + L);
        c70.mul(va).intoArray(c, cIdx + 7 * ldc);
        c71.mul(va).intoArray(c, cIdx + 7 * ldc + L);
      }
      if (MR == 12) {
        c80.mul(va).intoArray(c, cIdx + 8 * ldc);
        c81.mul(va).intoArray(c, cIdx + 8 * ldc + L);
        c90.mul(va).intoArray(c, cIdx + 9 * ldc);
        c91.mul(va).intoArray(c, cIdx + 9 * ldc + L);
        ca0.mul(va).intoArray(c, cIdx + 10 * ldc);
        ca1.mul(va).intoArray(c, cIdx + 10 * ldc + L);
        cb0.mul(va).intoArray(c, cIdx + 11 * ldc);
        cb1.mul(va).intoArray(c, cIdx + 11 * ldc + L);
      }
      return;
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, L);
    c10.intoArray(tile, 1 * NR);
    c11.intoArray(tile, 1 * NR + L);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + L);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + L);
    c40.intoArray(tile, 4 * NR);
    c41.intoArray(tile, 4 * NR + L);
    c50.intoArray(tile, 5 * NR);
    c51.intoArray(tile, 5 * NR + L);
    if (MR >= 8) {
      c60.intoArray(tile, 6 * NR);
      c61.intoArray(tile, 6 * NR + L);
      c70.intoArray(tile, 7 * NR);
      c71.intoArray(tile, 7 * NR + L);
    }
    if (MR == 12) {
      c80.intoArray(tile, 8 * NR);
      c81.intoArray(tile, 8 * NR + L);
      c90.intoArray(tile, 9 * NR);
      c91.intoArray(tile, 9 * NR + L);
      ca0.intoArray(tile, 10 * NR);
      ca1.intoArray(tile, 10 * NR + L);
      cb0.intoArray(tile, 11 * NR);
      cb1.intoArray(tile, 11 * NR + L);
    }
    storeTile(tile, rows, cols, alpha, beta, c, cIdx, ldc);
  }

  /**
   * A whole tile (MR × NR) with β ≠ 0, A packed: C tile ← α·Σp A[r][p]·B[p][j] + β·C tile, straight into C with the
   * operations of storeTile (so the same bits). Every depth block after a product's first one comes here (it adds
   * to what the first stored, β = 1), so a product deeper than KC spends most of its tiles in this method. Through
   * the buffer, each tile's 2·MR vectors were stored, loaded again and then combined with C: on an AVX-512 host, one
   * thread (SgemmTime, a throwaway timing loop, 2026-12-07, GFLOP/s, buffer against direct, two alternations): NN
   * 1024³ 122 and 130 against 140 and 135, 2048³ 102 and 107 against 117 and 114; 512³ and 32×1024·1024×1024 within
   * the noise. It is a method of its own, its loop a copy of microKernelPacked's: with these stores added to that
   * method, C1 runs out of registers compiling it (see there). Nor does one loop serve both with the buffer moved
   * out (whole tiles, both β, in one method; edge tiles' sums into the buffer from another): the test on the rows
   * (the 8-row tail tile) left in the loop they shared cost NN 1024³ 3% to 9% (SgemmTime, 2026-12-07, three
   * alternations, 111.7 to 119.2 against 117.8 to 123.5 GFLOP/s).
   */
  private static void microKernelPackedAccumulate(int kc, float[] a, int aIdx, float[] b, int bIdx, int bStep,
      float[] c, int cIdx, int ldc, float alpha, float beta) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00;
    FloatVector c90 = c00, c91 = c00, ca0 = c00, ca1 = c00, cb0 = c00, cb1 = c00;
    for (int p = 0; p < kc; p++) {
      int bp = bIdx + p * bStep;
      int ap = aIdx + p * MR;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector x = FloatVector.broadcast(S, a[ap]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, a[ap + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(S, a[ap + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(S, a[ap + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      x = FloatVector.broadcast(S, a[ap + 4]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      x = FloatVector.broadcast(S, a[ap + 5]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
      if (MR >= 8) {
        x = FloatVector.broadcast(S, a[ap + 6]);
        c60 = x.fma(b0, c60);
        c61 = x.fma(b1, c61);
        x = FloatVector.broadcast(S, a[ap + 7]);
        c70 = x.fma(b0, c70);
        c71 = x.fma(b1, c71);
      }
      if (MR == 12) {
        x = FloatVector.broadcast(S, a[ap + 8]);
        c80 = x.fma(b0, c80);
        c81 = x.fma(b1, c81);
        x = FloatVector.broadcast(S, a[ap + 9]);
        c90 = x.fma(b0, c90);
        c91 = x.fma(b1, c91);
        x = FloatVector.broadcast(S, a[ap + 10]);
        ca0 = x.fma(b0, ca0);
        ca1 = x.fma(b1, ca1);
        x = FloatVector.broadcast(S, a[ap + 11]);
        cb0 = x.fma(b0, cb0);
        cb1 = x.fma(b1, cb1);
      }
    }
    FloatVector va = FloatVector.broadcast(S, alpha);
    FloatVector vb = FloatVector.broadcast(S, beta);
    c00.fma(va, FloatVector.fromArray(S, c, cIdx).mul(vb)).intoArray(c, cIdx);
    c01.fma(va, FloatVector.fromArray(S, c, cIdx + L).mul(vb)).intoArray(c, cIdx + L);
    c10.fma(va, FloatVector.fromArray(S, c, cIdx + ldc).mul(vb)).intoArray(c, cIdx + ldc);
    c11.fma(va, FloatVector.fromArray(S, c, cIdx + ldc + L).mul(vb)).intoArray(c, cIdx + ldc + L);
    c20.fma(va, FloatVector.fromArray(S, c, cIdx + 2 * ldc).mul(vb)).intoArray(c, cIdx + 2 * ldc);
    c21.fma(va, FloatVector.fromArray(S, c, cIdx + 2 * ldc + L).mul(vb)).intoArray(c, cIdx + 2 * ldc + L);
    c30.fma(va, FloatVector.fromArray(S, c, cIdx + 3 * ldc).mul(vb)).intoArray(c, cIdx + 3 * ldc);
    c31.fma(va, FloatVector.fromArray(S, c, cIdx + 3 * ldc + L).mul(vb)).intoArray(c, cIdx + 3 * ldc + L);
    c40.fma(va, FloatVector.fromArray(S, c, cIdx + 4 * ldc).mul(vb)).intoArray(c, cIdx + 4 * ldc);
    c41.fma(va, FloatVector.fromArray(S, c, cIdx + 4 * ldc + L).mul(vb)).intoArray(c, cIdx + 4 * ldc + L);
    c50.fma(va, FloatVector.fromArray(S, c, cIdx + 5 * ldc).mul(vb)).intoArray(c, cIdx + 5 * ldc);
    c51.fma(va, FloatVector.fromArray(S, c, cIdx + 5 * ldc + L).mul(vb)).intoArray(c, cIdx + 5 * ldc + L);
    if (MR >= 8) {
      c60.fma(va, FloatVector.fromArray(S, c, cIdx + 6 * ldc).mul(vb)).intoArray(c, cIdx + 6 * ldc);
      c61.fma(va, FloatVector.fromArray(S, c, cIdx + 6 * ldc + L).mul(vb)).intoArray(c, cIdx + 6 * ldc + L);
      c70.fma(va, FloatVector.fromArray(S, c, cIdx + 7 * ldc).mul(vb)).intoArray(c, cIdx + 7 * ldc);
      c71.fma(va, FloatVector.fromArray(S, c, cIdx + 7 * ldc + L).mul(vb)).intoArray(c, cIdx + 7 * ldc + L);
    }
    if (MR == 12) {
      c80.fma(va, FloatVector.fromArray(S, c, cIdx + 8 * ldc).mul(vb)).intoArray(c, cIdx + 8 * ldc);
      c81.fma(va, FloatVector.fromArray(S, c, cIdx + 8 * ldc + L).mul(vb)).intoArray(c, cIdx + 8 * ldc + L);
      c90.fma(va, FloatVector.fromArray(S, c, cIdx + 9 * ldc).mul(vb)).intoArray(c, cIdx + 9 * ldc);
      c91.fma(va, FloatVector.fromArray(S, c, cIdx + 9 * ldc + L).mul(vb)).intoArray(c, cIdx + 9 * ldc + L);
      ca0.fma(va, FloatVector.fromArray(S, c, cIdx + 10 * ldc).mul(vb)).intoArray(c, cIdx + 10 * ldc);
      ca1.fma(va, FloatVector.fromArray(S, c, cIdx + 10 * ldc + L).mul(vb)).intoArray(c, cIdx + 10 * ldc + L);
      cb0.fma(va, FloatVector.fromArray(S, c, cIdx + 11 * ldc).mul(vb)).intoArray(c, cIdx + 11 * ldc);
      cb1.fma(va, FloatVector.fromArray(S, c, cIdx + 11 * ldc + L).mul(vb)).intoArray(c, cIdx + 11 * ldc + L);
    }
  }

  /**
   * A whole tile (MR_IN_PLACE × NR), A read in place: C tile ← α·Σp A[r][p]·B[p][j] + β·C tile straight into C, with
   * the operations of storeTile (so the same bits). The products that read A in place are a layer's forward pass
   * run as its transpose (W₀'s rows as A) and the low-rank step's products with a few columns; through the buffer,
   * each tile's vectors were stored, loaded again and combined with C. On an AVX-512 host, one thread (SgemmTime, a
   * throwaway timing loop, 2026-12-07, µs per call, buffer against direct, three alternations): 32×1024·(1024×1024)ᵀ
   * 664, 610, 695 against 574, 626, 639; 32×1024·(1024×784)ᵀ 536, 487, 552 against 441, 468, 503; 1024×1024·1024×64
   * 1257, 1322, 1390 against 1165, 1121, 1279. Its loop is a copy of microKernelInPlace's, which keeps the buffer
   * for the edges of C (see microKernelPackedAccumulate on why the stores are not added to that method). One method
   * for both, an edge tile's sums sent to the buffer with α = 1 and β = 0, ran the forward's 32×1024·(1024×1024)ᵀ
   * in 743, 774, 774 µs against 713, 718, 728 for the two (SgemmTime, 2026-12-07, three alternations).
   */
  private static void microKernelInPlaceWhole(int kc, float[] a, int aRow, int lda, float[] b, int bIdx, int bStep,
      float[] c, int cIdx, int ldc, float alpha, float beta) {
    int a0 = aRow;
    int a1 = aRow + lda;
    int a2 = aRow + 2 * lda;
    int a3 = aRow + 3 * lda;
    int a4 = aRow + 4 * lda;
    int a5 = aRow + 5 * lda;
    // Rows 6 and 7 exist only at MR_IN_PLACE = 8; at 6 their loads are constant-folded away with their rows' work.
    int a6 = aRow + Math.min(6, MR_IN_PLACE - 1) * lda;
    int a7 = aRow + Math.min(7, MR_IN_PLACE - 1) * lda;
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    for (int p = 0; p < kc; p++) {
      int bp = bIdx + p * bStep;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, a[a1 + p]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(S, a[a2 + p]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(S, a[a3 + p]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      x = FloatVector.broadcast(S, a[a4 + p]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      x = FloatVector.broadcast(S, a[a5 + p]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
      if (MR_IN_PLACE == 8) {
        x = FloatVector.broadcast(S, a[a6 + p]);
        c60 = x.fma(b0, c60);
        c61 = x.fma(b1, c61);
        x = FloatVector.broadcast(S, a[a7 + p]);
        c70 = x.fma(b0, c70);
        c71 = x.fma(b1, c71);
      }
    }
    FloatVector va = FloatVector.broadcast(S, alpha);
    if (beta == 0f) {
      c00.mul(va).intoArray(c, cIdx);
      c01.mul(va).intoArray(c, cIdx + L);
      c10.mul(va).intoArray(c, cIdx + ldc);
      c11.mul(va).intoArray(c, cIdx + ldc + L);
      c20.mul(va).intoArray(c, cIdx + 2 * ldc);
      c21.mul(va).intoArray(c, cIdx + 2 * ldc + L);
      c30.mul(va).intoArray(c, cIdx + 3 * ldc);
      c31.mul(va).intoArray(c, cIdx + 3 * ldc + L);
      c40.mul(va).intoArray(c, cIdx + 4 * ldc);
      c41.mul(va).intoArray(c, cIdx + 4 * ldc + L);
      c50.mul(va).intoArray(c, cIdx + 5 * ldc);
      c51.mul(va).intoArray(c, cIdx + 5 * ldc + L);
      if (MR_IN_PLACE == 8) {
        c60.mul(va).intoArray(c, cIdx + 6 * ldc);
        c61.mul(va).intoArray(c, cIdx + 6 * ldc + L);
        c70.mul(va).intoArray(c, cIdx + 7 * ldc);
        c71.mul(va).intoArray(c, cIdx + 7 * ldc + L);
      }
      return;
    }
    FloatVector vb = FloatVector.broadcast(S, beta);
    c00.fma(va, FloatVector.fromArray(S, c, cIdx).mul(vb)).intoArray(c, cIdx);
    c01.fma(va, FloatVector.fromArray(S, c, cIdx + L).mul(vb)).intoArray(c, cIdx + L);
    c10.fma(va, FloatVector.fromArray(S, c, cIdx + ldc).mul(vb)).intoArray(c, cIdx + ldc);
    c11.fma(va, FloatVector.fromArray(S, c, cIdx + ldc + L).mul(vb)).intoArray(c, cIdx + ldc + L);
    c20.fma(va, FloatVector.fromArray(S, c, cIdx + 2 * ldc).mul(vb)).intoArray(c, cIdx + 2 * ldc);
    c21.fma(va, FloatVector.fromArray(S, c, cIdx + 2 * ldc + L).mul(vb)).intoArray(c, cIdx + 2 * ldc + L);
    c30.fma(va, FloatVector.fromArray(S, c, cIdx + 3 * ldc).mul(vb)).intoArray(c, cIdx + 3 * ldc);
    c31.fma(va, FloatVector.fromArray(S, c, cIdx + 3 * ldc + L).mul(vb)).intoArray(c, cIdx + 3 * ldc + L);
    c40.fma(va, FloatVector.fromArray(S, c, cIdx + 4 * ldc).mul(vb)).intoArray(c, cIdx + 4 * ldc);
    c41.fma(va, FloatVector.fromArray(S, c, cIdx + 4 * ldc + L).mul(vb)).intoArray(c, cIdx + 4 * ldc + L);
    c50.fma(va, FloatVector.fromArray(S, c, cIdx + 5 * ldc).mul(vb)).intoArray(c, cIdx + 5 * ldc);
    c51.fma(va, FloatVector.fromArray(S, c, cIdx + 5 * ldc + L).mul(vb)).intoArray(c, cIdx + 5 * ldc + L);
    if (MR_IN_PLACE == 8) {
      c60.fma(va, FloatVector.fromArray(S, c, cIdx + 6 * ldc).mul(vb)).intoArray(c, cIdx + 6 * ldc);
      c61.fma(va, FloatVector.fromArray(S, c, cIdx + 6 * ldc + L).mul(vb)).intoArray(c, cIdx + 6 * ldc + L);
      c70.fma(va, FloatVector.fromArray(S, c, cIdx + 7 * ldc).mul(vb)).intoArray(c, cIdx + 7 * ldc);
      c71.fma(va, FloatVector.fromArray(S, c, cIdx + 7 * ldc + L).mul(vb)).intoArray(c, cIdx + 7 * ldc + L);
    }
  }

  /**
   * C tile ← α·Σp A[r][p]·B[p][j] + β·C tile, for r < rows ≤ MR_IN_PLACE and j < cols ≤ NR, over kc steps, A read
   * in place: row r at a[aRow + r*lda ...]; the B panel is kc×NR at b[bIdx], its rows bStep apart (NR packed, ldb
   * in place). β = 0 does not read C.
   */
  private static void microKernelInPlace(int kc, float[] a, int aRow, int lda, int rows, float[] b, int bIdx,
      int bStep, float[] c, int cIdx, int ldc, int cols, float alpha, float beta, float[] tile) {
    // Rows past the edge of A repeat its last row: the reads stay in bounds and their results are dropped.
    int last = rows - 1;
    int a0 = aRow;
    int a1 = aRow + Math.min(1, last) * lda;
    int a2 = aRow + Math.min(2, last) * lda;
    int a3 = aRow + Math.min(3, last) * lda;
    int a4 = aRow + Math.min(4, last) * lda;
    int a5 = aRow + Math.min(5, last) * lda;
    int a6 = aRow + Math.min(6, last) * lda;
    int a7 = aRow + Math.min(7, last) * lda;
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    for (int p = 0; p < kc; p++) {
      int bp = bIdx + p * bStep;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, a[a1 + p]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(S, a[a2 + p]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(S, a[a3 + p]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      x = FloatVector.broadcast(S, a[a4 + p]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      x = FloatVector.broadcast(S, a[a5 + p]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
      if (MR_IN_PLACE == 8) {
        x = FloatVector.broadcast(S, a[a6 + p]);
        c60 = x.fma(b0, c60);
        c61 = x.fma(b1, c61);
        x = FloatVector.broadcast(S, a[a7 + p]);
        c70 = x.fma(b0, c70);
        c71 = x.fma(b1, c71);
      }
    }
    // Whole tiles run in microKernelInPlaceWhole; an edge tile goes through a buffer, stored here rather than in a
    // helper: a helper taking vectors that the JIT does not inline would box them, and a small helper may stay
    // compiled by C1, which boxes every vector operation.
    c00.intoArray(tile, 0);
    c01.intoArray(tile, L);
    c10.intoArray(tile, NR);
    c11.intoArray(tile, NR + L);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + L);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + L);
    c40.intoArray(tile, 4 * NR);
    c41.intoArray(tile, 4 * NR + L);
    c50.intoArray(tile, 5 * NR);
    c51.intoArray(tile, 5 * NR + L);
    if (MR_IN_PLACE == 8) {
      c60.intoArray(tile, 6 * NR);
      c61.intoArray(tile, 6 * NR + L);
      c70.intoArray(tile, 7 * NR);
      c71.intoArray(tile, 7 * NR + L);
    }
    storeTile(tile, rows, cols, alpha, beta, c, cIdx, ldc);
  }

  /** C ← α·tile + β·C over rows × cols of a tile (rows of NR floats in {@code tile}); β = 0 does not read C. */
  private static void storeTile(float[] tile, int rows, int cols, float alpha, float beta, float[] c, int cIdx,
      int ldc) {
    FloatVector va = FloatVector.broadcast(S, alpha);
    FloatVector vb = FloatVector.broadcast(S, beta);
    int whole = cols / L * L;
    if (beta == 0f) {
      for (int r = 0, t = 0, ij = cIdx; r < rows; r++, t += NR, ij += ldc) {
        for (int j = 0; j < whole; j += L) {
          FloatVector.fromArray(S, tile, t + j).mul(va).intoArray(c, ij + j);
        }
        // The last columns one by one: a masked store at the end of the array falls off the JIT's fast path (and
        // allocates). The scalar form of the lanes' expression, so that every column rounds alike.
        for (int j = whole; j < cols; j++) {
          c[ij + j] = tile[t + j] * alpha;
        }
      }
    } else {
      for (int r = 0, t = 0, ij = cIdx; r < rows; r++, t += NR, ij += ldc) {
        for (int j = 0; j < whole; j += L) {
          FloatVector.fromArray(S, tile, t + j).fma(va, FloatVector.fromArray(S, c, ij + j).mul(vb))
              .intoArray(c, ij + j);
        }
        for (int j = whole; j < cols; j++) {
          c[ij + j] = Math.fma(tile[t + j], alpha, c[ij + j] * beta);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Element-wise

  static int sgdStep(int len, float lr, float weightDecay, float[] p, int pOff, float[] g, int gOff) {
    FloatVector vLr = FloatVector.broadcast(S, lr);
    FloatVector vDecay = FloatVector.broadcast(S, weightDecay);
    int bound = S.loopBound(len);
    for (int i = 0; i < bound; i += L) {
      FloatVector pv = FloatVector.fromArray(S, p, pOff + i);
      FloatVector grad = FloatVector.fromArray(S, g, gOff + i).add(pv.mul(vDecay));
      pv.sub(grad.mul(vLr)).intoArray(p, pOff + i);
    }
    return bound;
  }

  static int momentumStep(int len, boolean firstStep, float lr, float momentum, float dampening, boolean nesterov,
      float weightDecay, float[] p, int pOff, float[] g, int gOff, float[] buf, int bufOff) {
    FloatVector vLr = FloatVector.broadcast(S, lr);
    FloatVector vMomentum = FloatVector.broadcast(S, momentum);
    FloatVector vKeep = FloatVector.broadcast(S, 1f - dampening);
    FloatVector vDecay = FloatVector.broadcast(S, weightDecay);
    FloatVector floor = FloatVector.broadcast(S, Subnormals.MOMENTUM_FLOOR);
    int bound = S.loopBound(len);
    for (int i = 0; i < bound; i += L) {
      FloatVector pv = FloatVector.fromArray(S, p, pOff + i);
      FloatVector grad = FloatVector.fromArray(S, g, gOff + i).add(pv.mul(vDecay));
      FloatVector bv = flushBelow(firstStep ? grad
          : FloatVector.fromArray(S, buf, bufOff + i).mul(vMomentum).add(grad.mul(vKeep)), floor);
      bv.intoArray(buf, bufOff + i);
      FloatVector update = nesterov ? grad.add(bv.mul(vMomentum)) : bv;
      pv.sub(update.mul(vLr)).intoArray(p, pOff + i);
    }
    return bound;
  }

  static int adamStep(int len, float lr, float beta1, float beta2, float eps, float weightDecay,
      boolean decoupledWeightDecay, AdamConvention convention, float stepScale, float sqrtBiasCorrection2,
      float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff) {
    boolean torch = convention == AdamConvention.TORCH;
    // The convention's choices as factors and a mask: multiplying or dividing by 1 is exact, so the reference's bits
    // are kept.
    FloatVector vDecayFactor = FloatVector.broadcast(S, decoupledWeightDecay && torch ? 1f - lr * weightDecay : 1f);
    FloatVector vRootDivisor = FloatVector.broadcast(S, torch ? sqrtBiasCorrection2 : 1f);
    VectorMask<Float> decayAfter = S.maskAll(decoupledWeightDecay && !torch);
    FloatVector vDecayStep = FloatVector.broadcast(S, lr * weightDecay);
    FloatVector vL2 = FloatVector.broadcast(S, decoupledWeightDecay ? 0f : weightDecay);
    FloatVector vBeta1 = FloatVector.broadcast(S, beta1);
    FloatVector vBeta2 = FloatVector.broadcast(S, beta2);
    FloatVector vKeep1 = FloatVector.broadcast(S, 1f - beta1);
    FloatVector vKeep2 = FloatVector.broadcast(S, 1f - beta2);
    FloatVector vEps = FloatVector.broadcast(S, eps);
    FloatVector vStepScale = FloatVector.broadcast(S, stepScale);
    FloatVector floor = FloatVector.broadcast(S, Subnormals.adamFloor(eps));
    int bound = S.loopBound(len);
    for (int i = 0; i < bound; i += L) {
      FloatVector pv = FloatVector.fromArray(S, p, pOff + i).mul(vDecayFactor);
      FloatVector grad = FloatVector.fromArray(S, g, gOff + i).add(pv.mul(vL2));
      FloatVector mv = flushBelow(FloatVector.fromArray(S, m, mOff + i).mul(vBeta1).add(grad.mul(vKeep1)), floor);
      FloatVector vv = flushBelow(FloatVector.fromArray(S, v, vOff + i).mul(vBeta2).add(grad.mul(vKeep2).mul(grad)),
          floor);
      mv.intoArray(m, mOff + i);
      vv.intoArray(v, vOff + i);
      pv = pv.sub(mv.div(vv.sqrt().div(vRootDivisor).add(vEps)).mul(vStepScale));
      pv.sub(pv.mul(vDecayStep), decayAfter).intoArray(p, pOff + i);
    }
    return bound;
  }

  /** {@link Subnormals#flushBelow} lane by lane: +0 where |x| &lt; floor, NaN kept. */
  private static FloatVector flushBelow(FloatVector x, FloatVector floor) {
    return x.blend(FloatVector.zero(S), x.abs().compare(VectorOperators.LT, floor));
  }

  static int adamDirection(int len, float beta1, float beta2, float eps, AdamConvention convention, float stepScale,
      float sqrtBiasCorrection2, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff, float[] out,
      int outOff) {
    FloatVector vBeta1 = FloatVector.broadcast(S, beta1);
    FloatVector vBeta2 = FloatVector.broadcast(S, beta2);
    FloatVector vKeep1 = FloatVector.broadcast(S, 1f - beta1);
    FloatVector vKeep2 = FloatVector.broadcast(S, 1f - beta2);
    FloatVector vEps = FloatVector.broadcast(S, eps);
    FloatVector vStepScale = FloatVector.broadcast(S, stepScale);
    FloatVector floor = FloatVector.broadcast(S, Subnormals.adamFloor(eps));
    int bound = S.loopBound(len);
    if (convention == AdamConvention.TORCH) {
      FloatVector vRootDivisor = FloatVector.broadcast(S, sqrtBiasCorrection2);
      for (int i = 0; i < bound; i += L) {
        FloatVector grad = FloatVector.fromArray(S, g, gOff + i);
        FloatVector mv = flushBelow(FloatVector.fromArray(S, m, mOff + i).mul(vBeta1).add(grad.mul(vKeep1)), floor);
        FloatVector vv = flushBelow(
            FloatVector.fromArray(S, v, vOff + i).mul(vBeta2).add(grad.mul(vKeep2).mul(grad)), floor);
        mv.intoArray(m, mOff + i);
        vv.intoArray(v, vOff + i);
        mv.div(vv.sqrt().div(vRootDivisor).add(vEps)).mul(vStepScale).intoArray(out, outOff + i);
      }
    } else {
      // GaLore's convention has no root divisor. Not dividing by 1 (exact, as adamStep does) but leaving the division
      // out: the loop is bound by its divisions and square roots, and it runs 24% faster without the third (LRG's
      // 115712 state elements in the study's MLP: 73 against 55 µs, a throwaway timing loop, 2026-12-06).
      for (int i = 0; i < bound; i += L) {
        FloatVector grad = FloatVector.fromArray(S, g, gOff + i);
        FloatVector mv = flushBelow(FloatVector.fromArray(S, m, mOff + i).mul(vBeta1).add(grad.mul(vKeep1)), floor);
        FloatVector vv = flushBelow(
            FloatVector.fromArray(S, v, vOff + i).mul(vBeta2).add(grad.mul(vKeep2).mul(grad)), floor);
        mv.intoArray(m, mOff + i);
        vv.intoArray(v, vOff + i);
        mv.div(vv.sqrt().add(vEps)).mul(vStepScale).intoArray(out, outOff + i);
      }
    }
    return bound;
  }

  /**
   * How many leading elements of x[xOff ..] (whole vectors) were checked and are all finite, or −1 if one of them is
   * an infinity or NaN. x − x is +0 for a finite x and NaN for ±∞ and NaN, and sums of +0 stay +0 while a NaN stays
   * NaN: no branch per vector. Four sums, so that the additions' latency does not bound the loop.
   */
  static int finitePrefix(int len, float[] x, int xOff) {
    FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
    int bound4 = len / (4 * L) * (4 * L);
    int i = 0;
    for (; i < bound4; i += 4 * L) {
      FloatVector v0 = FloatVector.fromArray(S, x, xOff + i);
      FloatVector v1 = FloatVector.fromArray(S, x, xOff + i + L);
      FloatVector v2 = FloatVector.fromArray(S, x, xOff + i + 2 * L);
      FloatVector v3 = FloatVector.fromArray(S, x, xOff + i + 3 * L);
      s0 = s0.add(v0.sub(v0));
      s1 = s1.add(v1.sub(v1));
      s2 = s2.add(v2.sub(v2));
      s3 = s3.add(v3.sub(v3));
    }
    int bound = S.loopBound(len);
    for (; i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, xOff + i);
      s0 = s0.add(v.sub(v));
    }
    float sum = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
    return sum == 0f ? bound : -1;
  }

  static int relu(int len, float[] x, int xOff, float[] y, int yOff) {
    FloatVector zero = FloatVector.zero(S);
    int bound = S.loopBound(len);
    for (int i = 0; i < bound; i += L) {
      FloatVector xv = FloatVector.fromArray(S, x, xOff + i);
      // A compare and blend, not max(): -0 gives +0 and NaN stays NaN, as the reference's x <= 0 ? 0 : x.
      xv.blend(zero, xv.compare(VectorOperators.LE, zero)).intoArray(y, yOff + i);
    }
    return bound;
  }

  static int reluBackward(int len, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff) {
    FloatVector zero = FloatVector.zero(S);
    int bound = S.loopBound(len);
    for (int i = 0; i < bound; i += L) {
      VectorMask<Float> notPositive = FloatVector.fromArray(S, x, xOff + i).compare(VectorOperators.LE, zero);
      FloatVector.fromArray(S, dy, dyOff + i).blend(zero, notPositive).intoArray(dx, dxOff + i);
    }
    return bound;
  }

  static int biasAdd(int rows, int cols, float[] bias, int biasOff, float[] y, int yOff, int ldy) {
    int bound = S.loopBound(cols);
    for (int r = 0; r < rows; r++) {
      int row = yOff + r * ldy;
      for (int j = 0; j < bound; j += L) {
        FloatVector.fromArray(S, y, row + j).add(FloatVector.fromArray(S, bias, biasOff + j)).intoArray(y, row + j);
      }
    }
    return bound;
  }

  static int biasGradient(int rows, int cols, float[] dy, int dyOff, int lddy, float[] db, int dbOff) {
    // Four column vectors per pass over the rows: four independent sums hide the add latency. Each column still
    // sums its rows in order, as the reference does.
    int wide = cols / (4 * L) * (4 * L);
    for (int j = 0; j < wide; j += 4 * L) {
      FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
      for (int r = 0, idx = dyOff + j; r < rows; r++, idx += lddy) {
        s0 = s0.add(FloatVector.fromArray(S, dy, idx));
        s1 = s1.add(FloatVector.fromArray(S, dy, idx + L));
        s2 = s2.add(FloatVector.fromArray(S, dy, idx + 2 * L));
        s3 = s3.add(FloatVector.fromArray(S, dy, idx + 3 * L));
      }
      s0.intoArray(db, dbOff + j);
      s1.intoArray(db, dbOff + j + L);
      s2.intoArray(db, dbOff + j + 2 * L);
      s3.intoArray(db, dbOff + j + 3 * L);
    }
    int bound = S.loopBound(cols);
    for (int j = wide; j < bound; j += L) {
      FloatVector s = FloatVector.zero(S);
      for (int r = 0, idx = dyOff + j; r < rows; r++, idx += lddy) {
        s = s.add(FloatVector.fromArray(S, dy, idx));
      }
      s.intoArray(db, dbOff + j);
    }
    return bound;
  }
}
