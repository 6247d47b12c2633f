package org.lrgrad.kernels;

/**
 * Which side of an m×n gradient G a low-rank projector multiplies (docs/method.md §2).
 *
 * <ul>
 *   <li>{@link #LEFT}: P is m×r with orthonormal columns; the low-rank gradient is R = PᵀG (r×n) and a low-rank
 *       matrix N (r×n) goes back as P·N.</li>
 *   <li>{@link #RIGHT}: Q is r×n with orthonormal rows; R = G·Qᵀ (m×r) and N (m×r) goes back as N·Q.</li>
 * </ul>
 */
public enum ProjectionSide {
  LEFT,
  RIGHT;

  /** GaLore's rule: project on the right when m ≥ n (so a square matrix goes right), on the left otherwise. */
  public static ProjectionSide galoreDefault(int m, int n) {
    return m >= n ? RIGHT : LEFT;
  }

  /** Rows of the projector: m for LEFT (P is m×r), r for RIGHT (Q is r×n). */
  public int projectorRows(int m, int n, int r) {
    return this == LEFT ? m : r;
  }

  /** Columns of the projector: r for LEFT, n for RIGHT. */
  public int projectorCols(int m, int n, int r) {
    return this == LEFT ? r : n;
  }

  /** Rows of the low-rank gradient R: r for LEFT (r×n), m for RIGHT (m×r). */
  public int lowRankRows(int m, int n, int r) {
    return this == LEFT ? r : m;
  }

  /** Columns of the low-rank gradient R: n for LEFT, r for RIGHT. */
  public int lowRankCols(int m, int n, int r) {
    return this == LEFT ? n : r;
  }
}
