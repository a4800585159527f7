package io.sparkgen.model.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.random.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class InceptionScoreAndFidInfinityTest {

  @Test
  void confidentBalancedPredictionsScoreTheClassCountAndUniformOnesScoreOne() {
    int classes = 5;
    INDArray confident = Nd4j.zeros(DataType.DOUBLE, 100, classes);
    for (int i = 0; i < 100; i++) {
      confident.putScalar(i, i % classes, 50.0); // softmax ~ one-hot
    }
    InceptionScore.Result sharp = InceptionScore.of(confident, 10);
    assertEquals(classes, sharp.mean(), 1e-9);
    assertEquals(0.0, sharp.std(), 1e-9);
    assertEquals(1.0, InceptionScore.of(Nd4j.zeros(DataType.DOUBLE, 100, classes), 10).mean(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> InceptionScore.of(confident, 101));
  }

  @Test
  void theFitRecoversAnExactLineInOneOverN() {
    List<FidInfinity.Point> points = List.of(new FidInfinity.Point(100, 3 + 50.0 / 100),
        new FidInfinity.Point(400, 3 + 50.0 / 400), new FidInfinity.Point(1000, 3 + 50.0 / 1000));
    double[] fit = FidInfinity.fitAgainstInverseN(points);
    assertEquals(3.0, fit[0], 1e-12);
    assertEquals(50.0, fit[1], 1e-9);
  }

  @Test
  void theExtrapolationIsCloserToTheTrueDistanceThanTheLargestSample() {
    Rng rng = new Rng(6L);
    int d = 16;
    FeatureMoments real = FeatureMoments.of(rng.gaussian(DataType.DOUBLE, 50_000, d));
    // Generated features from the same distribution: the true FID is 0; finite N biases it upwards.
    INDArray fake = rng.gaussian(DataType.DOUBLE, 2_000, d);
    FidInfinity.Result r = FidInfinity.of(real, fake, 200, 6, 9L);
    double largest = r.points().get(r.points().size() - 1).fid();
    assertTrue(r.slope() > 0, "FID falls with N: " + r.points());
    assertTrue(Math.abs(r.value()) < largest, "extrapolated " + r.value() + " vs N=2000 " + largest);
    assertEquals(6, r.points().size());
    assertEquals(2_000, r.points().get(5).n());
  }
}
