package io.sparkgen.model.flow;

import io.sparkgen.model.random.Rng;

/**
 * The initial weight of an invertible 1x1 convolution, in double precision: a random rotation W
 * (Glow, Sec. 3.2) and its LU decomposition with partial pivoting W = P L U (Glow, eq. 10).
 */
final class Lu {

  final double[][] p;
  final double[][] l;
  final double[][] u;

  private Lu(double[][] p, double[][] l, double[][] u) {
    this.p = p;
    this.l = l;
    this.u = u;
  }

  /** A random orthogonal n x n matrix: modified Gram-Schmidt on the columns of a Gaussian matrix. */
  static double[][] randomRotation(Rng rng, int n) {
    double[][] q = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        q[i][j] = rng.nextGaussian();
      }
    }
    for (int j = 0; j < n; j++) {
      for (int k = 0; k < j; k++) {
        double dot = 0;
        for (int i = 0; i < n; i++) {
          dot += q[i][j] * q[i][k];
        }
        for (int i = 0; i < n; i++) {
          q[i][j] -= dot * q[i][k];
        }
      }
      double norm = 0;
      for (int i = 0; i < n; i++) {
        norm += q[i][j] * q[i][j];
      }
      norm = Math.sqrt(norm);
      for (int i = 0; i < n; i++) {
        q[i][j] /= norm;
      }
    }
    return q;
  }

  /** Doolittle elimination with row pivoting: a = P L U, L unit lower, U upper. */
  static Lu decompose(double[][] a) {
    int n = a.length;
    double[][] u = new double[n][];
    for (int i = 0; i < n; i++) {
      u[i] = a[i].clone();
    }
    double[][] l = new double[n][n];
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    for (int k = 0; k < n; k++) {
      int pivot = k;
      for (int i = k + 1; i < n; i++) {
        if (Math.abs(u[i][k]) > Math.abs(u[pivot][k])) {
          pivot = i;
        }
      }
      if (u[pivot][k] == 0) {
        throw new IllegalArgumentException("singular matrix");
      }
      double[] t = u[k];
      u[k] = u[pivot];
      u[pivot] = t;
      t = l[k];
      l[k] = l[pivot];
      l[pivot] = t;
      int ti = perm[k];
      perm[k] = perm[pivot];
      perm[pivot] = ti;
      for (int i = k + 1; i < n; i++) {
        double f = u[i][k] / u[k][k];
        l[i][k] = f;
        for (int j = k; j < n; j++) {
          u[i][j] -= f * u[k][j];
        }
        u[i][k] = 0;
      }
    }
    double[][] p = new double[n][n];
    for (int i = 0; i < n; i++) {
      l[i][i] = 1;
      // Row i of L U is row perm[i] of a.
      p[perm[i]][i] = 1;
    }
    return new Lu(p, l, u);
  }
}
