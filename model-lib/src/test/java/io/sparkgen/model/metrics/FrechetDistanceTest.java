package io.sparkgen.model.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.random.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Closed forms of the Fréchet distance, the moments' merge, and bad input. */
class FrechetDistanceTest {

  /** A random symmetric positive definite 2x2 matrix. */
  private static double[] spd2(Rng rng) {
    double[] a = rng.gaussian(DataType.DOUBLE, 4).toDoubleVector();
    // A A^T + 0.1 I
    return new double[] {a[0] * a[0] + a[1] * a[1] + 0.1, a[0] * a[2] + a[1] * a[3],
        a[0] * a[2] + a[1] * a[3], a[2] * a[2] + a[3] * a[3] + 0.1};
  }

  @Test
  void diagonalCovariancesGiveTheSumOfSquaredRootDifferences() {
    double[] mu1 = {0, 1, 2};
    double[] mu2 = {1, 1, 0};
    double[] s1 = {4, 0, 0, 0, 1, 0, 0, 0, 9};
    double[] s2 = {1, 0, 0, 0, 1, 0, 0, 0, 0.25};
    // |mu1 - mu2|^2 = 1 + 0 + 4; sum (sqrt s1 - sqrt s2)^2 = 1 + 0 + 6.25
    FrechetDistance.Result r = FrechetDistance.of(mu1, s1, mu2, s2, 3);
    assertEquals(5.0, r.meanTerm(), 1e-12);
    assertEquals(12.25, r.value(), 1e-10);
  }

  @Test
  void nonCommutingTwoByTwoMatchesTheClosedFormOfTheTraceOfTheRoot() {
    Rng rng = new Rng(17L);
    for (int trial = 0; trial < 20; trial++) {
      double[] s1 = spd2(rng);
      double[] s2 = spd2(rng);
      // tr sqrt(S1 S2) = sqrt(tr(S1 S2) + 2 sqrt(det(S1 S2))) for 2x2 matrices with positive eigenvalues.
      double tr = s1[0] * s2[0] + s1[1] * s2[2] + s1[2] * s2[1] + s1[3] * s2[3];
      double det = (s1[0] * s1[3] - s1[1] * s1[2]) * (s2[0] * s2[3] - s2[1] * s2[2]);
      double expected = s1[0] + s1[3] + s2[0] + s2[3] - 2 * Math.sqrt(tr + 2 * Math.sqrt(det));
      double value = FrechetDistance.of(new double[2], s1, new double[2], s2, 2).value();
      assertEquals(expected, value, 1e-10 * Math.max(1, Math.abs(expected)), "trial " + trial);
    }
  }

  @Test
  void identicalStatisticsAreAtZeroAndRankDeficiencyIsClampedNotFatal() {
    INDArray x = new Rng(3L).gaussian(DataType.DOUBLE, 10, 16); // 10 rows in 16 dimensions: rank 9
    FeatureMoments m = FeatureMoments.of(x);
    FrechetDistance.Result r = FrechetDistance.between(m, m);
    assertEquals(0.0, r.value(), 0.0, "rounding below zero is reported as 0");
    assertTrue(Math.abs(r.traceTerm()) < 1e-6, "the rounding itself is small: " + r.traceTerm());
    assertTrue(r.mostNegativeRelative() > -FrechetDistance.PSD_TOLERANCE);
    FeatureMoments full = FeatureMoments.of(new Rng(4L).gaussian(DataType.DOUBLE, 400, 16));
    assertEquals(0.0, FrechetDistance.between(full, full).value(), 1e-10);
  }

  @Test
  void theCholeskyRouteEqualsTheSquareRootRoute() {
    Rng rng = new Rng(8L);
    FeatureMoments a = FeatureMoments.of(rng.gaussian(DataType.DOUBLE, 300, 24));
    FeatureMoments b = FeatureMoments.of(rng.gaussian(DataType.DOUBLE, 200, 24).muli(1.7).addi(0.1));
    double viaCholesky = FrechetDistance.of(a.mean(), a.covariance(), b.mean(), b.covariance(), 24, true).value();
    double viaSquareRoot = FrechetDistance.of(a.mean(), a.covariance(), b.mean(), b.covariance(), 24, false).value();
    assertEquals(viaSquareRoot, viaCholesky, 1e-9 * viaSquareRoot);
  }

  @Test
  void samplesOfGaussiansApproachTheClosedForm() {
    Rng rng = new Rng(5L);
    int n = 200_000;
    INDArray a = rng.gaussian(DataType.DOUBLE, n, 2).muli(Nd4j.createFromArray(2.0, 1.0));
    INDArray b = rng.gaussian(DataType.DOUBLE, n, 2).muli(Nd4j.createFromArray(1.0, 3.0)).addi(Nd4j.createFromArray(1.0, 0.0));
    double expected = 1 + (2 - 1) * (2 - 1) + (1 - 3) * (1 - 3); // mean 1, roots (2-1)^2 + (1-3)^2
    double value = FrechetDistance.between(FeatureMoments.of(a), FeatureMoments.of(b)).value();
    assertEquals(expected, value, 0.05);
  }

  @Test
  void momentsMergedFromAnySplitGiveTheSameDistance() {
    Rng rng = new Rng(11L);
    INDArray real = rng.gaussian(DataType.FLOAT, 700, 32).muli(3).addi(5);
    INDArray fake = rng.gaussian(DataType.FLOAT, 500, 32).muli(2).addi(4);
    double whole = FrechetDistance.between(FeatureMoments.of(real), FeatureMoments.of(fake)).value();
    for (int parts : new int[] {1, 3, 7}) {
      double split = FrechetDistance.between(splitMerged(real, parts), splitMerged(fake, parts)).value();
      assertEquals(whole, split, 1e-9 * whole, parts + " partitions");
    }
  }

  /** Moments of {@code parts} contiguous slices, merged in reverse order. */
  private static FeatureMoments splitMerged(INDArray rows, int parts) {
    long n = rows.size(0);
    List<FeatureMoments> pieces = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      long from = n * p / parts;
      long to = n * (p + 1) / parts;
      pieces.add(FeatureMoments.of(rows.get(NDArrayIndex.interval(from, to), NDArrayIndex.all())));
    }
    FeatureMoments merged = new FeatureMoments((int) rows.size(1));
    for (int p = parts - 1; p >= 0; p--) {
      merged.merge(pieces.get(p));
    }
    return merged;
  }

  @Test
  void badInputIsNamed() {
    FeatureMoments eight = new FeatureMoments(8);
    IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
        () -> eight.add(Nd4j.zeros(DataType.FLOAT, 3, 4)));
    assertTrue(shape.getMessage().contains("[n, 8]"), shape.getMessage());
    INDArray withNan = Nd4j.zeros(DataType.FLOAT, 3, 8);
    withNan.putScalar(2, 5, Float.NaN);
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> eight.add(withNan));
    assertTrue(nan.getMessage().contains("feature row 2") && nan.getMessage().contains("NaN at index 5"), nan.getMessage());
    IllegalArgumentException dims = assertThrows(IllegalArgumentException.class,
        () -> FrechetDistance.between(FeatureMoments.of(Nd4j.rand(DataType.DOUBLE, 5, 8)),
            FeatureMoments.of(Nd4j.rand(DataType.DOUBLE, 5, 4))));
    assertTrue(dims.getMessage().contains("feature dimensions differ: 8 and 4"), dims.getMessage());
    assertThrows(IllegalStateException.class, () -> new FeatureMoments(8).covariance());
    double[] notPsd = {1, 0, 0, -1};
    IllegalArgumentException psd = assertThrows(IllegalArgumentException.class,
        () -> FrechetDistance.of(new double[2], notPsd, new double[2], new double[] {1, 0, 0, 1}, 2));
    assertTrue(psd.getMessage().startsWith("not a covariance matrix"), psd.getMessage());
  }
}
