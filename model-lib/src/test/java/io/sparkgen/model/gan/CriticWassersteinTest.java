package io.sparkgen.model.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.random.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The critic estimate against distributions whose Wasserstein-1 distance W is known: between two
 * point masses it is the Euclidean distance of the two images; between a distribution and its
 * translate by a vector v it is ||v||; between two samples of one distribution it is 0. For the
 * first two the penalised critic's optimum is a slope s along the displacement maximising
 * s W - lambda (s - 1)^2, so the estimate it converges to is W (1 + W / (2 lambda)).
 */
class CriticWassersteinTest {

  /** A small critic that trains quickly on 8x8 images. */
  private static final CriticWasserstein.Options OPTIONS =
      new CriticWasserstein.Options(200, 16, List.of(8, 16), 10.0, new AdamConfig(1e-3, 0.0, 0.9, 1e-8));

  private static double penalisedOptimum(double w) {
    return w * (1 + w / (2 * OPTIONS.gpWeight()));
  }

  @Test
  void betweenTwoPointMassesItIsTheirDistance() {
    INDArray real = Nd4j.valueArrayOf(new long[] {64, 1, 8, 8}, -0.5f);
    INDArray fake = Nd4j.valueArrayOf(new long[] {64, 1, 8, 8}, 0.5f);
    CriticWasserstein.Result r = CriticWasserstein.estimate(real, fake, OPTIONS, 7);
    double optimum = penalisedOptimum(Math.sqrt(64)); // a difference of 1 in each of 64 pixels
    assertEquals(32, r.heldOut());
    assertTrue(r.distance() > 0.85 * optimum && r.distance() < 1.05 * optimum, "estimate " + r + " vs " + optimum);
  }

  @Test
  void aTranslateIsAsFarAsItsShiftAndASecondSampleIsNear0() {
    Rng rng = new Rng(11);
    INDArray real = rng.uniform(DataType.FLOAT, -0.5, 0.5, 256, 1, 8, 8);
    INDArray same = rng.uniform(DataType.FLOAT, -0.5, 0.5, 256, 1, 8, 8);
    INDArray shifted = rng.uniform(DataType.FLOAT, -0.5, 0.5, 256, 1, 8, 8).addi(0.3);
    double exact = 0.3 * Math.sqrt(64);
    CriticWasserstein.Result far = CriticWasserstein.estimate(real, shifted, OPTIONS, 3);
    CriticWasserstein.Result near = CriticWasserstein.estimate(real, same, OPTIONS, 3);
    double optimum = penalisedOptimum(exact);
    assertTrue(far.distance() > 0.85 * optimum && far.distance() < 1.1 * optimum, "estimate " + far + " vs " + optimum);
    assertTrue(Math.abs(near.distance()) < 0.15 * exact, "same distribution: " + near);

  }

  @Test
  void theSameSeedGivesTheSameEstimate() {
    Rng rng = new Rng(5);
    INDArray real = rng.uniform(DataType.FLOAT, -1, 1, 40, 1, 8, 8);
    INDArray fake = rng.uniform(DataType.FLOAT, -1, 0.5, 30, 1, 8, 8);
    CriticWasserstein.Options few =
        new CriticWasserstein.Options(5, 8, List.of(4, 8), 10.0, new AdamConfig(1e-3, 0.0, 0.9, 1e-8));
    CriticWasserstein.Result a = CriticWasserstein.estimate(real, fake, few, 9);
    assertEquals(a, CriticWasserstein.estimate(real, fake, few, 9));
    assertEquals(15, a.heldOut()); // half of the smaller set
  }

  @Test
  void badInputIsNamed() {
    IllegalArgumentException shapes = assertThrows(IllegalArgumentException.class, () -> CriticWasserstein.estimate(
        Nd4j.zeros(DataType.FLOAT, 4, 1, 8, 8), Nd4j.zeros(DataType.FLOAT, 4, 3, 8, 8), OPTIONS, 1));
    assertTrue(shapes.getMessage().contains("[4, 1, 8, 8] and [4, 3, 8, 8]"), shapes.getMessage());
    IllegalArgumentException few = assertThrows(IllegalArgumentException.class, () -> CriticWasserstein.estimate(
        Nd4j.zeros(DataType.FLOAT, 1, 1, 8, 8), Nd4j.zeros(DataType.FLOAT, 4, 1, 8, 8), OPTIONS, 1));
    assertTrue(few.getMessage().contains("at least 2 real and 2 generated images, got 1 and 4"), few.getMessage());
  }
}
