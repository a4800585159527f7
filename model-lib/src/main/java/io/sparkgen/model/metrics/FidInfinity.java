package io.sparkgen.model.metrics;

import io.sparkgen.model.random.Rng;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * FID_inf (Chong &amp; Forsyth 2020): FID is biased in the number N of generated images, close to
 * linear in 1/N; compute FID on seeded random subsets of several sizes, fit FID = a + b / N by least
 * squares, and report a, the value at N = infinity, with the points it came from.
 */
public final class FidInfinity {

  private FidInfinity() {}

  /** One subset size and its FID. */
  public record Point(int n, double fid) {}

  public record Result(double value, double slope, List<Point> points) {}

  /** With {@code sizes} subset sizes spread evenly from {@code minN} to all generated features. */
  public static Result of(FeatureMoments real, INDArray fake, int minN, int sizes, long seed) {
    int total = (int) fake.size(0);
    if (sizes < 2 || minN < 2 || minN >= total) {
      throw new IllegalArgumentException("FID_inf needs >= 2 subset sizes from minN >= 2 below the " + total
          + " generated features, got minN " + minN + ", " + sizes + " sizes");
    }
    Rng rng = new Rng(seed);
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < sizes; i++) {
      int n = minN + (int) ((long) (total - minN) * i / (sizes - 1));
      INDArray subset = fake.getRows(Subsets.draw(rng, total, n));
      points.add(new Point(n, FrechetDistance.between(real, FeatureMoments.of(subset)).value()));
    }
    double[] fit = fitAgainstInverseN(points);
    return new Result(fit[0], fit[1], List.copyOf(points));
  }

  /** Least-squares {a, b} of fid = a + b / n. */
  static double[] fitAgainstInverseN(List<Point> points) {
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (Point p : points) {
      double x = 1.0 / p.n();
      sx += x;
      sy += p.fid();
      sxx += x * x;
      sxy += x * p.fid();
    }
    int k = points.size();
    double b = (k * sxy - sx * sy) / (k * sxx - sx * sx);
    return new double[] {(sy - b * sx) / k, b};
  }
}
