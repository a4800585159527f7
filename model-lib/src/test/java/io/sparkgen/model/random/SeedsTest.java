package io.sparkgen.model.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeedsTest {

  @Test
  void rngIsSplitMix64AsPublished() {
    // Reference outputs of Vigna's splitmix64.c seeded with 0.
    Rng rng = new Rng(0L);
    assertEquals(0xE220A8397B1DCDAFL, rng.nextLong());
    assertEquals(0x6E789E6AA1B965F4L, rng.nextLong());
    assertEquals(0x06C45D188009454FL, rng.nextLong());
  }

  @Test
  void derivedSeedsArePinnedSoThatRunsStayReproducibleAcrossVersions() {
    assertEquals(Seeds.derive(42L, 2, 0, 0, 0), Seeds.forStep(42L, 0, 0, 0));
    assertEquals(Seeds.derive(Seeds.derive(42L), new long[0]), Seeds.mix(Seeds.mix(42L)));
    assertEquals(0xAF63DC4C8601EC8CL, Seeds.fnv1a64("a")); // FNV-1a 64 reference vector
  }

  @Test
  void coordinatesGiveDistinctSeeds() {
    Set<Long> seen = new HashSet<>();
    for (int round = 0; round < 5; round++) {
      for (int partition = 0; partition < 5; partition++) {
        for (int step = 0; step < 20; step++) {
          seen.add(Seeds.forStep(1L, round, partition, step));
        }
      }
    }
    assertEquals(500, seen.size());
    assertNotEquals(Seeds.forStep(1L, 0, 1, 0), Seeds.forStep(1L, 1, 0, 0));
    assertNotEquals(Seeds.forImage(1L, 3), Seeds.forStep(1L, 0, 0, 3));
  }

  @Test
  void gaussianHasStandardMoments() {
    double[] v = new double[200_000];
    new Rng(Seeds.derive(7L, 1)).fillGaussian(v);
    double sum = 0;
    double sq = 0;
    double fourth = 0;
    for (double x : v) {
      sum += x;
      sq += x * x;
      fourth += x * x * x * x;
    }
    int n = v.length;
    assertEquals(0.0, sum / n, 4 / Math.sqrt(n));
    assertEquals(1.0, sq / n, 4 * Math.sqrt(2.0 / n));
    assertEquals(3.0, fourth / n, 4 * Math.sqrt(96.0 / n));
  }

  @Test
  void dropoutMaskKeepsTheExpectation() {
    double mean = new Rng(3).dropoutMask(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 0.7, 100_000).meanNumber().doubleValue();
    assertEquals(1.0, mean, 4 * Math.sqrt(0.3 / 0.7 / 100_000));
  }
}
