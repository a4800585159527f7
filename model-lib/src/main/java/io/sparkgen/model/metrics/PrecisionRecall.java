package io.sparkgen.model.metrics;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Improved precision and recall (Kynkäänniemi et al. 2019): each set's manifold is the union of
 * balls around its points with radius the distance to the k-th nearest neighbour in the same set;
 * precision is the share of generated points inside the real manifold, recall the share of real
 * points inside the generated one. Distances in double precision from ||a||^2 + ||b||^2 - 2 a.b,
 * computed in row blocks so that 10k x 10k sets fit in memory.
 */
public final class PrecisionRecall {

  private static final int BLOCK = 1024;

  private PrecisionRecall() {}

  public record Result(double precision, double recall, int k) {}

  public static Result of(INDArray real, INDArray fake, int k) {
    if (real.rank() != 2 || fake.rank() != 2 || real.size(1) != fake.size(1)) {
      throw new IllegalArgumentException("features must be [n, d] of one d, got " + Arrays.toString(real.shape())
          + " and " + Arrays.toString(fake.shape()));
    }
    if (k < 1 || real.size(0) <= k || fake.size(0) <= k) {
      throw new IllegalArgumentException("k-NN radii need more than k = " + k + " points per set, got "
          + real.size(0) + " and " + fake.size(0));
    }
    INDArray r = real.castTo(DataType.DOUBLE);
    INDArray f = fake.castTo(DataType.DOUBLE);
    double[] realRadii = kthNeighbourDistances(r, k);
    double[] fakeRadii = kthNeighbourDistances(f, k);
    return new Result(coverage(f, r, realRadii), coverage(r, f, fakeRadii), k);
  }

  /** Squared distance of each point to its k-th nearest other point of the same set. */
  static double[] kthNeighbourDistances(INDArray x, int k) {
    int n = (int) x.size(0);
    double[] radii = new double[n];
    for (int from = 0; from < n; from += BLOCK) {
      int to = Math.min(n, from + BLOCK);
      double[][] d = squaredDistances(x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()), x);
      for (int i = 0; i < d.length; i++) {
        double[] row = d[i];
        row[from + i] = Double.POSITIVE_INFINITY; // not its own neighbour
        Arrays.sort(row);
        radii[from + i] = row[k - 1];
      }
    }
    return radii;
  }

  /** Share of {@code points} within the radius of at least one of {@code centres}. */
  static double coverage(INDArray points, INDArray centres, double[] radii) {
    int n = (int) points.size(0);
    long inside = 0;
    for (int from = 0; from < n; from += BLOCK) {
      int to = Math.min(n, from + BLOCK);
      double[][] d = squaredDistances(points.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()), centres);
      for (double[] row : d) {
        for (int j = 0; j < row.length; j++) {
          if (row[j] <= radii[j]) {
            inside++;
            break;
          }
        }
      }
    }
    return (double) inside / n;
  }

  private static double[][] squaredDistances(INDArray a, INDArray b) {
    INDArray aa = a.mul(a).sum(1);
    INDArray bb = b.mul(b).sum(1);
    INDArray d = a.mmul(b.transpose()).muli(-2.0).addiColumnVector(aa.reshape(aa.length(), 1))
        .addiRowVector(bb.reshape(1, bb.length()));
    double[][] out = d.toDoubleMatrix();
    for (double[] row : out) {
      for (int j = 0; j < row.length; j++) {
        row[j] = Math.max(0.0, row[j]);
      }
    }
    return out;
  }
}
