package io.sparkgen.model.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkgen.model.params.NamedArrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class OptimTest {

  @Test
  void adamFirstStepIsAlphaTimesGOverAbsGPlusScaledEpsilon() {
    // t = 1: m_hat = g, v_hat = g^2, so the efficient form gives alpha g / (|g| + eps / sqrt(1 - b2)).
    AdamConfig c = new AdamConfig(0.01, 0.9, 0.999, 1e-3);
    INDArray theta = Nd4j.createFromArray(1.0, -2.0, 0.5).reshape(1, 3);
    INDArray g = Nd4j.createFromArray(0.2, -3.0, 1e-4).reshape(1, 3);
    NamedArrays p = NamedArrays.of(Map.of("w", theta));
    Adam adam = new Adam(c, p);
    adam.update(p, Map.of("w", g));
    double scaledEps = 1e-3 / Math.sqrt(1 - 0.999);
    for (int i = 0; i < 3; i++) {
      double gi = g.getDouble(i);
      double expected = new double[] {1.0, -2.0, 0.5}[i] - 0.01 * gi / (Math.abs(gi) + scaledEps);
      assertEquals(expected, theta.getDouble(i), 1e-12);
    }
    assertEquals(1.0, adam.state().get("t").getDouble(0));
    assertEquals(0.1 * 0.2, adam.state().get("m/w").getDouble(0), 1e-12);
  }

  @Test
  void adamMinimisesAQuadratic() {
    INDArray theta = Nd4j.zeros(DataType.DOUBLE, 1, 4);
    NamedArrays p = NamedArrays.of(Map.of("w", theta));
    Adam adam = new Adam(AdamConfig.of(0.05, 0.9), p);
    for (int i = 0; i < 500; i++) {
      adam.update(p, Map.of("w", theta.sub(3.0).muli(2.0)));
    }
    assertEquals(3.0, theta.minNumber().doubleValue(), 1e-3);
    assertEquals(3.0, theta.maxNumber().doubleValue(), 1e-3);
  }

  @Test
  void emaHalvesTheGapEveryHalfLife() {
    INDArray theta = Nd4j.zeros(DataType.DOUBLE, 2);
    NamedArrays p = NamedArrays.of(Map.of("w", theta));
    Ema ema = new Ema(64.0, p);
    theta.assign(1.0);
    for (int i = 0; i < 4; i++) {
      ema.update(p, 32); // 4 x 32 images = two half-lives
    }
    assertEquals(1.0 - 0.25, ema.average().get("w").getDouble(0), 1e-12);
    assertEquals(0.0, new Ema(0.0, p).beta(32));
  }
}
