package io.sparkgen.model.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.random.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class KernelInceptionDistanceTest {

  @Test
  void mmdMatchesABruteForceDoubleSumOverPairs() {
    Rng rng = new Rng(1L);
    INDArray x = rng.gaussian(DataType.DOUBLE, 6, 3);
    INDArray y = rng.gaussian(DataType.DOUBLE, 6, 3).addi(0.5);
    double xx = 0;
    double yy = 0;
    double xy = 0;
    for (int i = 0; i < 6; i++) {
      for (int j = 0; j < 6; j++) {
        if (i != j) {
          xx += Math.pow(x.getRow(i).mul(x.getRow(j)).sumNumber().doubleValue() / 3 + 1, 3);
          yy += Math.pow(y.getRow(i).mul(y.getRow(j)).sumNumber().doubleValue() / 3 + 1, 3);
        }
        xy += Math.pow(x.getRow(i).mul(y.getRow(j)).sumNumber().doubleValue() / 3 + 1, 3);
      }
    }
    double expected = (xx + yy) / 30 - 2 * xy / 36;
    assertEquals(expected, KernelInceptionDistance.mmd2Unbiased(x, y), 1e-12 * Math.abs(expected) + 1e-12);
  }

  @Test
  void identicalDistributionsAreNearZeroAndShiftedOnesAreNot() {
    Rng rng = new Rng(2L);
    INDArray a = rng.gaussian(DataType.FLOAT, 2000, 16);
    INDArray b = rng.gaussian(DataType.FLOAT, 2000, 16);
    INDArray shifted = rng.gaussian(DataType.FLOAT, 2000, 16).addi(0.5);
    KernelInceptionDistance.Result same = KernelInceptionDistance.of(a, b, 30, 500, 7L);
    KernelInceptionDistance.Result apart = KernelInceptionDistance.of(a, shifted, 30, 500, 7L);
    // Unbiased: the mean over subsets is within a few standard errors of 0.
    assertTrue(Math.abs(same.mean()) < 4 * same.std() / Math.sqrt(30) + 1e-4, same.toString());
    assertTrue(apart.mean() > 20 * Math.abs(same.mean()) && apart.mean() > 10 * apart.std() / Math.sqrt(30),
        apart.toString());
    assertEquals(same, KernelInceptionDistance.of(a, b, 30, 500, 7L), "the seed fixes the subsets");
    assertEquals(500, same.subsetSize());
  }

  @Test
  void tooFewFeaturesOrMismatchedDimensionsAreNamed() {
    Rng rng = new Rng(3L);
    IllegalArgumentException dims = assertThrows(IllegalArgumentException.class,
        () -> KernelInceptionDistance.of(rng.gaussian(DataType.FLOAT, 5, 4), rng.gaussian(DataType.FLOAT, 5, 3), 1, 5, 1L));
    assertTrue(dims.getMessage().contains("[5, 4] and [5, 3]"), dims.getMessage());
    IllegalArgumentException few = assertThrows(IllegalArgumentException.class,
        () -> KernelInceptionDistance.of(rng.gaussian(DataType.FLOAT, 1, 4), rng.gaussian(DataType.FLOAT, 5, 4), 1, 5, 1L));
    assertTrue(few.getMessage().contains("at least 2 features"), few.getMessage());
  }
}
