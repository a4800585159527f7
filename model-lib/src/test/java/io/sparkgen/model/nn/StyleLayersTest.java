package io.sparkgen.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** StyleGAN's layers: finite differences in double precision, demodulation's unit norm, equalised learning rate. */
class StyleLayersTest {

  /**
   * L = sum(y R), y = noise(modulatedConv(x, affine(w))) + b through leaky ReLU with gain: checks
   * dL/d(affine W, b; conv W; noise strength; bias), so the demodulation's gradient through the
   * styles is covered too.
   */
  @Test
  void modulatedConvolutionGradientsMatchFiniteDifferences() {
    for (boolean demodulate : new boolean[] {true, false}) {
      NamedArrays params = NamedArrays.empty();
      GraphBuilder g = new GraphBuilder(params, NamedArrays.empty(), 5L, DataType.DOUBLE);
      SDVariable x = g.placeholder("x", -1, 3, 5, 5);
      SDVariable w = g.placeholder("w", -1, 4);
      SDVariable noise = g.placeholder("noise", -1, 1, 5, 5);
      SDVariable styles = StyleLayers.equalizedDense(g, "m/affine", w, 4, 3, 1.0, 1.0);
      SDVariable h = StyleLayers.modulatedConv(g, "m", x, styles, 3, 2, 3, demodulate);
      h = StyleLayers.noise(g, "m", h, noise, 2).add(g.param("m/b", Init.ZEROS, 1, 2, 1, 1));
      SDVariable y = StyleLayers.leakyReluWithGain(g.sd(), h);
      SDVariable loss = y.mul(g.placeholder("r", 2, 2, 5, 5)).sum();
      loss.markAsLoss();
      // Off the initial values: a zero noise strength and bias would leave their kinks untested.
      params.asMap().forEach((n, a) -> a.addi(new Rng(n.hashCode()).gaussian(DataType.DOUBLE, a.shape()).muli(0.3)));
      Map<String, INDArray> in = new HashMap<>();
      in.put("x", new Rng(1).gaussian(DataType.DOUBLE, 2, 3, 5, 5));
      in.put("w", new Rng(2).gaussian(DataType.DOUBLE, 2, 4));
      in.put("noise", new Rng(3).gaussian(DataType.DOUBLE, 2, 1, 5, 5));
      in.put("r", new Rng(4).gaussian(DataType.DOUBLE, 2, 2, 5, 5));
      assertArrayEquals(new long[] {2, 2, 5, 5}, g.sd().output(in, y.name()).get(y.name()).shape());
      double error = GradientCheck.maxRelativeError(g.sd(), in, loss.name(), List.copyOf(params.names()), 1e-6, 1);
      assertTrue(error < 1e-5, "demodulate " + demodulate + ": max relative error " + error);
    }
  }

  /**
   * StyleGAN2 Eq. 3: every output channel's effective weights w''_{ijk} = s_i c W_{ijk} d_j have
   * unit L2 norm over (input channel, tap), up to epsilon. A 3x3 input that is 1 at the centre of
   * channel i and 0 elsewhere gives, at the 9 output pixels ('same' padding), the 9 taps of w''_{i.j}:
   * so sum over i and pixels of y_j^2 = ||w''_{.j.}||^2 = 1 for each sample's style.
   */
  @Test
  void demodulatedWeightsHaveUnitNormPerOutputChannel() {
    long in = 3;
    long out = 4;
    NamedArrays params = NamedArrays.empty();
    GraphBuilder g = new GraphBuilder(params, NamedArrays.empty(), 6L, DataType.DOUBLE);
    SDVariable x = g.placeholder("x", -1, in, 3, 3);
    SDVariable s = g.placeholder("s", -1, in);
    SDVariable y = StyleLayers.modulatedConv(g, "m", x, s, in, out, 3, true);
    INDArray styles = new Rng(7).gaussian(DataType.DOUBLE, 2, in).muli(3);
    // Rows: (style n, input channel i); x of row (n, i) is the centre delta on channel i.
    INDArray deltas = Nd4j.zeros(DataType.DOUBLE, 2 * in, in, 3, 3);
    INDArray repeated = Nd4j.zeros(DataType.DOUBLE, 2 * in, in);
    for (int n = 0; n < 2; n++) {
      for (int i = 0; i < in; i++) {
        deltas.putScalar(new long[] {n * in + i, i, 1, 1}, 1.0);
        repeated.putRow(n * in + i, styles.getRow(n));
      }
    }
    INDArray taps = g.sd().output(Map.of("x", deltas, "s", repeated), y.name()).get(y.name());
    for (int n = 0; n < 2; n++) {
      for (int j = 0; j < out; j++) {
        double squares = 0;
        for (int i = 0; i < in; i++) {
          squares += sumOfSquares(taps, (int) (n * in + i), j);
        }
        assertEquals(1.0, squares, 1e-6, "style " + n + ", output channel " + j);
      }
    }
    // Without demodulation the same norm is s-dependent: the coefficient is what makes it 1.
    SDVariable plain = StyleLayers.modulatedConv(g, "m", x, s, in, out, 3, false);
    INDArray raw = g.sd().output(Map.of("x", deltas, "s", repeated), plain.name()).get(plain.name());
    assertTrue(Math.abs(sumOfSquares(raw, 0, 0) + sumOfSquares(raw, 1, 0) + sumOfSquares(raw, 2, 0) - 1.0) > 1e-2);
  }

  private static double sumOfSquares(INDArray y, int row, int channel) {
    double sum = 0;
    for (int a = 0; a < y.size(2); a++) {
      for (int b = 0; b < y.size(3); b++) {
        double v = y.getDouble(row, channel, a, b);
        sum += v * v;
      }
    }
    return sum;
  }

  /**
   * Equalised learning rate (Karras et al. 2018, Sec. 4.1; mapping lrmul, 2019, App. C): stored W ~
   * N(0, 1 / lrmul^2), b = biasInit / lrmul; the layer computes x (W lrmul / sqrt(in)) + b lrmul,
   * so the effective weights start as N(0, 1 / in) and the effective bias at biasInit.
   */
  @Test
  void equalizedDenseScalesItsStoredWeightsByLrmulOverSqrtFanIn() {
    int in = 64;
    int out = 64;
    double lrmul = 0.01;
    NamedArrays params = NamedArrays.empty();
    GraphBuilder g = new GraphBuilder(params, NamedArrays.empty(), 8L, DataType.DOUBLE);
    SDVariable x = g.placeholder("x", -1, in);
    SDVariable y = StyleLayers.equalizedDense(g, "fc", x, in, out, lrmul, 0.5);
    assertEquals(0.01 / 8.0, StyleLayers.weightGain(in, lrmul), 1e-15);
    INDArray w = params.get("fc/W");
    INDArray b = params.get("fc/b");
    assertEquals(1.0 / lrmul, w.stdNumber().doubleValue(), 0.05 / lrmul, "stored weights ~ N(0, 1 / lrmul^2)");
    assertEquals(0.5 / lrmul, b.getDouble(0, 0), 1e-9);
    // Rows of the identity pick the effective weight rows: y = W c + b lrmul.
    INDArray effective = g.sd().output(Map.of("x", Nd4j.eye(in).castTo(DataType.DOUBLE)), y.name()).get(y.name());
    INDArray expected = w.mul(lrmul / Math.sqrt(in)).addRowVector(b.mul(lrmul));
    assertTrue(effective.equalsWithEps(expected, 1e-12));
    double effectiveStd = w.mul(lrmul / Math.sqrt(in)).stdNumber().doubleValue();
    assertEquals(1.0 / Math.sqrt(in), effectiveStd, 0.05 / Math.sqrt(in), "effective weights ~ N(0, 1 / fan_in)");
    assertEquals(0.5, expected.sub(w.mul(lrmul / Math.sqrt(in))).getDouble(3, 7), 1e-12, "effective bias = biasInit");
  }
}
