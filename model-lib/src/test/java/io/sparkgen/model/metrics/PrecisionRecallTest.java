package io.sparkgen.model.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparkgen.model.random.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class PrecisionRecallTest {

  @Test
  void identicalSetsHavePrecisionAndRecallOneAndFarApartSetsZero() {
    INDArray a = new Rng(1L).gaussian(DataType.FLOAT, 300, 8);
    PrecisionRecall.Result same = PrecisionRecall.of(a, a.dup(), 3);
    assertEquals(1.0, same.precision());
    assertEquals(1.0, same.recall());
    PrecisionRecall.Result apart = PrecisionRecall.of(a, a.add(100.0), 3);
    assertEquals(0.0, apart.precision());
    assertEquals(0.0, apart.recall());
  }

  @Test
  void matchesABruteForceComputation() {
    Rng rng = new Rng(2L);
    INDArray real = rng.gaussian(DataType.DOUBLE, 40, 3);
    INDArray fake = rng.gaussian(DataType.DOUBLE, 30, 3).muli(1.5).addi(0.3);
    PrecisionRecall.Result r = PrecisionRecall.of(real, fake, 3);
    assertEquals(brute(fake, real, 3), r.precision(), 1e-12);
    assertEquals(brute(real, fake, 3), r.recall(), 1e-12);
  }

  /** Share of points within the k-NN radius of some centre, by nested loops. */
  private static double brute(INDArray points, INDArray centres, int k) {
    int m = (int) centres.size(0);
    double[] radii = new double[m];
    for (int i = 0; i < m; i++) {
      double[] d = new double[m - 1];
      int t = 0;
      for (int j = 0; j < m; j++) {
        if (j != i) {
          d[t++] = centres.getRow(i).distance2(centres.getRow(j));
        }
      }
      Arrays.sort(d);
      radii[i] = d[k - 1];
    }
    int inside = 0;
    for (int p = 0; p < points.size(0); p++) {
      for (int i = 0; i < m; i++) {
        if (points.getRow(p).distance2(centres.getRow(i)) <= radii[i] + 1e-12) {
          inside++;
          break;
        }
      }
    }
    return (double) inside / points.size(0);
  }

  @Test
  void tooFewPointsForKIsNamed() {
    INDArray few = new Rng(3L).gaussian(DataType.FLOAT, 3, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrecisionRecall.of(few, few, 3));
    assertEquals("k-NN radii need more than k = 3 points per set, got 3 and 3", e.getMessage());
  }
}
