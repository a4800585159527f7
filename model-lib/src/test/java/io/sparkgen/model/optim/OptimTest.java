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

  /**
   * Two float steps on parameters laid out every way the update must handle: a large array (split
   * over threads, its length no multiple of the chunk), a view (a row of a matrix: written back
   * through a copy, its neighbours untouched) and an f-ordered array; each element as the formula
   * in double says.
   */
  @Test
  void adamOnFloatArraysOfAnyLayoutFollowsTheFormulaElementByElement() {
    AdamConfig c = new AdamConfig(0.01, 0.9, 0.999, 1e-7);
    INDArray matrix = Nd4j.rand(DataType.FLOAT, 3, 5);
    INDArray untouched = matrix.dup();
    Map<String, INDArray> params = Map.of(
        "big", Nd4j.rand(DataType.FLOAT, 200_003),
        "view", matrix.getRow(1),
        "fOrder", Nd4j.rand(DataType.FLOAT, 'f', 4, 6));
    NamedArrays p = NamedArrays.of(params);
    NamedArrays before = p.copy();
    Adam adam = new Adam(c, p);
    Map<String, INDArray> g1 = new java.util.HashMap<>();
    Map<String, INDArray> g2 = new java.util.HashMap<>();
    params.forEach((n, a) -> {
      g1.put(n, Nd4j.randn(DataType.FLOAT, a.shape()));
      g2.put(n, Nd4j.randn(DataType.FLOAT, a.shape()));
    });
    adam.update(p, g1);
    adam.update(p, g2);
    for (String name : params.keySet()) {
      double[] theta0 = before.get(name).dup('c').data().asDouble();
      double[] a1 = g1.get(name).dup('c').data().asDouble();
      double[] a2 = g2.get(name).dup('c').data().asDouble();
      double[] actual = p.get(name).dup('c').data().asDouble();
      for (int i = 0; i < theta0.length; i++) {
        double m = 0.1 * a1[i];
        double v = 0.001 * a1[i] * a1[i];
        double theta = theta0[i] - 0.01 * Math.sqrt(1 - 0.999) / (1 - 0.9) * m / (Math.sqrt(v) + 1e-7);
        m = 0.9 * m + 0.1 * a2[i];
        v = 0.999 * v + 0.001 * a2[i] * a2[i];
        theta -= 0.01 * Math.sqrt(1 - 0.999 * 0.999) / (1 - 0.81) * m / (Math.sqrt(v) + 1e-7);
        assertEquals(theta, actual[i], 1e-5, name + "[" + i + "]");
      }
    }
    for (int row : new int[] {0, 2}) {
      assertEquals(untouched.getRow(row), matrix.getRow(row), "the view's neighbours");
    }
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
