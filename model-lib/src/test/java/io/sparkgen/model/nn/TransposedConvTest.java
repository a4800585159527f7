package io.sparkgen.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The phase-convolution form of the transposed convolution equals libnd4j's deconv2d, values and gradients. */
class TransposedConvTest {

  private record Run(INDArray y, Map<String, INDArray> gradients) {}

  /** y = deconv(x, W) + b and dL/d{x, W, b} of L = sum(y * R), in double precision. */
  private static Run run(boolean phase, long in, long out, int k, int s, long h) {
    NamedArrays params = NamedArrays.empty();
    GraphBuilder g = new GraphBuilder(params, NamedArrays.empty(), 5L, DataType.DOUBLE);
    SDVariable x = g.sd().var("x", new Rng(1).gaussian(DataType.DOUBLE, 2, in, h, h));
    SDVariable y = phase
        ? Layers.deconv2dAsConv(g, "d", x, in, out, k, s, true)
        : TransposedConv.nativeDeconv(g.sd(), x, g.param("d/W", Init.GLOROT_UNIFORM, k, k, out, in), k, s)
            .add(g.param("d/b", Init.ZEROS, 1, out, 1, 1));
    long[] outShape = {2, out, h * s, h * s};
    SDVariable loss = y.mul(g.sd().constant(new Rng(2).gaussian(DataType.DOUBLE, outShape))).sum();
    loss.markAsLoss();
    INDArray value = g.sd().output(Map.of(), y.name()).get(y.name());
    assertArrayEquals(outShape, value.shape());
    return new Run(value, g.sd().calculateGradients(Map.of(), List.of("x", "d/W", "d/b")));
  }

  @ParameterizedTest(name = "k={2} stride={3}")
  @CsvSource({"3, 2, 3, 1, 5", "3, 4, 3, 2, 4", "2, 3, 5, 1, 4", "3, 2, 5, 2, 3", "2, 2, 4, 2, 3", "2, 3, 1, 1, 3", "1, 1, 1, 1, 2", "1, 1, 1, 2, 2"})
  void phaseConvolutionEqualsDeconv2d(long in, long out, int k, int s, long h) {
    Run expected = run(false, in, out, k, s, h);
    Run actual = run(true, in, out, k, s, h);
    assertEquals(0.0, actual.y().sub(expected.y()).amaxNumber().doubleValue(), 1e-12);
    for (String name : List.of("x", "d/W", "d/b")) {
      INDArray e = expected.gradients().get(name);
      INDArray a = actual.gradients().get(name);
      assertArrayEquals(e.shape(), a.shape(), name);
      assertEquals(0.0, a.sub(e).amaxNumber().doubleValue(), 1e-12, name);
    }
  }

  @Test
  void tapsCoverEveryWeightOncePerPhase() {
    // k = 5, s = 2, p = 1: phase 0 reads W taps {3, 1}, phase 1 taps {4, 2, 0}; offsets -1..1.
    TransposedConv.Taps t = TransposedConv.Taps.of(5, 2);
    assertEquals(3, t.size());
    assertEquals(1, t.before());
    assertEquals(1, t.after());
    assertArrayEquals(new int[] {3, 1, -1}, new int[] {t.tap(0, 0), t.tap(1, 0), t.tap(2, 0)});
    assertArrayEquals(new int[] {4, 2, 0}, new int[] {t.tap(0, 1), t.tap(1, 1), t.tap(2, 1)});
    assertTrue(TransposedConv.chosen() != null);
  }
}
