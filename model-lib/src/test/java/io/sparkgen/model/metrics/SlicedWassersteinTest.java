package io.sparkgen.model.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.random.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SlicedWassersteinTest {

  @Test
  void aShiftedCloudInOneDimensionIsAtTheShift() {
    INDArray a = new Rng(1L).gaussian(DataType.DOUBLE, 500, 1);
    assertEquals(0.75, SlicedWasserstein.of(a, a.add(0.75), 2, 4, 3L), 1e-12);
  }

  @Test
  void aShiftedCloudIsAtTheMeanProjectedShift() {
    // Every projection moves by c u.theta, so each sorted difference is |c u.theta| exactly; over
    // uniform directions on the sphere E|u.theta| = Gamma(d/2) / (sqrt(pi) Gamma((d+1)/2)), 2/pi for d = 2.
    INDArray a = new Rng(2L).gaussian(DataType.DOUBLE, 300, 2);
    INDArray shift = Nd4j.createFromArray(3.0, 0.0).reshape(1, 2);
    double swd = SlicedWasserstein.of(a, a.addRowVector(shift), 8, 512, 5L);
    assertEquals(3 * 2 / Math.PI, swd, 0.05);
  }

  @Test
  void identicalSetsAreAtZeroAndTheSeedFixesTheDirections() {
    INDArray a = new Rng(3L).gaussian(DataType.FLOAT, 200, 16);
    assertEquals(0.0, SlicedWasserstein.of(a, a.dup(), 4, 128, 1L), 0.0);
    INDArray b = new Rng(4L).gaussian(DataType.FLOAT, 300, 16);
    double once = SlicedWasserstein.of(a, b, 4, 128, 9L);
    assertEquals(once, SlicedWasserstein.of(a, b, 4, 128, 9L), 0.0);
    assertTrue(once > 0);
  }

  @Test
  void theRadixSortOrdersExactlyAsArraysSort() {
    Rng rng = new Rng(6L);
    for (int n : new int[] {SlicedWasserstein.RADIX_SORT_FROM, 20_000}) {
      double[] a = rng.gaussian(DataType.DOUBLE, n).muli(1e3).toDoubleVector();
      for (int i = 0; i < n; i += 7) {
        a[i] = i % 3 == 0 ? 0.0 : i % 3 == 1 ? -0.0 : Math.rint(a[i]); // zeros of both signs and ties
      }
      a[5] = Double.MAX_VALUE;
      a[6] = -Double.MIN_VALUE;
      a[8] = Double.NEGATIVE_INFINITY;
      double[] padded = new double[n + 6];
      System.arraycopy(a, 0, padded, 3, n);
      double[] expected = padded.clone();
      java.util.Arrays.sort(expected, 3, n + 3);
      SlicedWasserstein.radixSort(padded, 3, n + 3);
      for (int i = 0; i < padded.length; i++) {
        assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(padded[i]), "index " + i);
      }
    }
    double[] constant = new double[5000];
    java.util.Arrays.fill(constant, 2.5);
    SlicedWasserstein.radixSort(constant, 0, constant.length);
    assertEquals(2.5, constant[4999], 0.0);
  }
}
