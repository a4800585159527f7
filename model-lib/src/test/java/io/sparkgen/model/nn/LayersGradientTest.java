package io.sparkgen.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.nn.Layers.Padding;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Finite-difference checks (double precision) of every layer the families are built from. */
class LayersGradientTest {

  private static final double TOLERANCE = 1e-5;

  /** L = sum(layer(x) * R) for a fixed random R; checks dL/d(every parameter) and the output shape. */
  private static void check(long[] inShape, long[] outShape, Function<GraphBuilder, SDVariable[]> layer) {
    NamedArrays params = NamedArrays.empty();
    GraphBuilder g = new GraphBuilder(params, NamedArrays.empty(), 11L, DataType.DOUBLE);
    SDVariable[] xy = layer.apply(g);
    // Move every parameter off its initial value: zero biases would put ReLU-like kinks at 0.
    params.asMap().forEach((n, a) -> a.addi(new Rng(n.hashCode()).gaussian(DataType.DOUBLE, a.shape()).muli(0.3)));
    Map<String, INDArray> in = new HashMap<>();
    in.put(xy[0].name(), new Rng(1).gaussian(DataType.DOUBLE, inShape));
    INDArray y = Forward.run(g.sd(), in, xy[1].name()).get(xy[1].name());
    assertArrayEquals(outShape, y.shape());
    SDVariable r = g.placeholder("r", outShape);
    in.put("r", new Rng(2).gaussian(DataType.DOUBLE, outShape));
    SDVariable loss = xy[1].mul(r).sum();
    loss.markAsLoss();
    double error = GradientCheck.maxRelativeError(g.sd(), in, loss.name(), List.copyOf(params.names()), 1e-6, 1);
    assertTrue(error < TOLERANCE, "max relative error " + error);
  }

  /**
   * mulBroadcast is x.mul(factor) computed another way: same values and the same gradients for x and
   * for a per-channel [1, C, 1, 1] or per-image [N, C, 1, 1] factor, and it passes the finite-difference check.
   */
  @Test
  void mulBroadcastEqualsMultiplyInValueAndGradient() {
    for (long[] factorShape : new long[][] {{1, 3, 1, 1}, {2, 3, 1, 1}}) {
      Map<String, INDArray> results = new HashMap<>();
      for (boolean broadcast : new boolean[] {false, true}) {
        GraphBuilder g = new GraphBuilder(NamedArrays.empty(), NamedArrays.empty(), 11L, DataType.DOUBLE);
        SDVariable x = g.sd().var("x", new Rng(1).gaussian(DataType.DOUBLE, 2, 3, 4, 5));
        SDVariable f = g.sd().var("f", new Rng(2).gaussian(DataType.DOUBLE, factorShape));
        SDVariable y = broadcast ? Layers.mulBroadcast(x, f) : x.mul(f);
        SDVariable loss = y.mul(g.sd().constant(new Rng(3).gaussian(DataType.DOUBLE, 2, 3, 4, 5))).sum();
        loss.markAsLoss();
        Map<String, INDArray> grads = g.sd().calculateGradients(Map.of(), List.of("x", "f"));
        String key = broadcast ? "b/" : "m/";
        results.put(key + "y", y.eval());
        results.put(key + "x", grads.get("x"));
        results.put(key + "f", grads.get("f"));
      }
      for (String name : List.of("y", "x", "f")) {
        INDArray expected = results.get("m/" + name);
        INDArray actual = results.get("b/" + name);
        assertArrayEquals(expected.shape(), actual.shape(), name);
        assertEquals(0.0, actual.sub(expected).amaxNumber().doubleValue(), 1e-12, name);
      }
    }
    check(new long[] {2, 3, 4, 5}, new long[] {2, 3, 4, 5}, g -> {
      SDVariable x = g.placeholder("x", -1, 3, 4, 5);
      return new SDVariable[] {x, Layers.mulBroadcast(x, g.param("gain", Init.ONES, 1, 3, 1, 1))};
    });
  }

  @Test
  void dense() {
    check(new long[] {3, 4}, new long[] {3, 5}, g -> {
      SDVariable x = g.placeholder("x", -1, 4);
      return new SDVariable[] {x, Layers.dense(g, "d", x, 4, 5, true)};
    });
  }

  @Test
  void convolutionSameStride2() {
    check(new long[] {2, 2, 7, 7}, new long[] {2, 3, 4, 4}, g -> {
      SDVariable x = g.placeholder("x", -1, 2, 7, 7);
      return new SDVariable[] {x, Layers.conv2d(g, "c", x, 2, 3, 5, 2, Padding.SAME, true)};
    });
  }

  @Test
  void convolutionValidStride2() {
    check(new long[] {2, 2, 8, 8}, new long[] {2, 3, 3, 3}, g -> {
      SDVariable x = g.placeholder("x", -1, 2, 8, 8);
      return new SDVariable[] {x, Layers.conv2d(g, "c", x, 2, 3, 3, 2, Padding.VALID, true)};
    });
  }

  @Test
  void transposedConvolutionStride2AndStride1() {
    check(new long[] {2, 3, 3, 3}, new long[] {2, 2, 6, 6}, g -> {
      SDVariable x = g.placeholder("x", -1, 3, 3, 3);
      return new SDVariable[] {x, Layers.deconv2d(g, "t", x, 3, 2, 5, 2, true)};
    });
    check(new long[] {2, 3, 4, 4}, new long[] {2, 2, 4, 4}, g -> {
      SDVariable x = g.placeholder("x", -1, 3, 4, 4);
      return new SDVariable[] {x, Layers.deconv2d(g, "t", x, 3, 2, 3, 1, false)};
    });
  }

  @Test
  void batchNormTrainingModeDifferentiatesThroughTheBatchMoments() {
    check(new long[] {4, 3, 2, 2}, new long[] {4, 3, 2, 2}, g -> {
      SDVariable x = g.placeholder("x", -1, 3, 2, 2);
      return new SDVariable[] {x, Layers.batchNorm(g, "bn", x, true, 1e-3, new long[] {1, 3, 1, 1}, 0, 2, 3).y()};
    });
    check(new long[] {5, 6}, new long[] {5, 6}, g -> {
      SDVariable x = g.placeholder("x", -1, 6);
      return new SDVariable[] {x, Layers.batchNorm(g, "bn", x, true, 1e-3, new long[] {1, 6}, 0).y()};
    });
  }

  @Test
  void batchNormNormalisesToZeroMeanUnitVariance() {
    NamedArrays params = NamedArrays.empty();
    GraphBuilder g = new GraphBuilder(params, NamedArrays.empty(), 1L, DataType.DOUBLE);
    SDVariable x = g.placeholder("x", -1, 3);
    SDVariable y = Layers.batchNorm(g, "bn", x, true, 0.0 + 1e-12, new long[] {1, 3}, 0).y();
    INDArray in = new Rng(4).gaussian(DataType.DOUBLE, 50, 3).muli(3).addi(7);
    INDArray out = g.sd().output(Map.of("x", in), y.name()).get(y.name());
    assertEquals(0.0, out.mean(0).maxNumber().doubleValue(), 1e-9);
    assertEquals(1.0, out.var(false, 0).getDouble(0), 1e-9);
  }

  @Test
  void labelEmbedding() {
    check(new long[] {3, 4}, new long[] {3, 2}, g -> {
      SDVariable y = g.placeholder("y", -1, 4);
      return new SDVariable[] {y, Layers.embedding(g, "e", y, 4, 2)};
    });
  }
  @Test
  void groupNormAndSiluAndUpsampling() {
    check(new long[] {3, 4, 3, 2}, new long[] {3, 4, 6, 4}, g -> {
      SDVariable x = g.placeholder("x", -1, 4, 3, 2);
      SDVariable y = Layers.silu(g.sd(), Layers.groupNorm(g, "gn", x, 4, 2));
      return new SDVariable[] {x, Layers.upsample2x(g.sd(), y, 4, 3, 2)};
    });
  }

  @Test
  void groupNormNormalisesEachImagesGroupAndUpsamplingRepeatsPixels() {
    GraphBuilder g = new GraphBuilder(NamedArrays.empty(), NamedArrays.empty(), 1L, DataType.DOUBLE);
    SDVariable x = g.placeholder("x", -1, 4, 3, 3);
    SDVariable y = Layers.groupNorm(g, "gn", x, 4, 2);
    SDVariable up = Layers.upsample2x(g.sd(), x, 4, 3, 3);
    INDArray in = new Rng(5).gaussian(DataType.DOUBLE, 2, 4, 3, 3).muli(4).addi(3);
    Map<String, INDArray> out = Forward.run(g.sd(), Map.of("x", in), y.name(), up.name());
    INDArray groups = out.get(y.name()).reshape(4, 18); // (image, group) rows
    INDArray inputGroups = in.reshape(4, 18);
    for (int row = 0; row < 4; row++) {
      INDArray group = groups.getRow(row);
      double variance = inputGroups.getRow(row).var(false).getDouble(0);
      assertEquals(0.0, group.meanNumber().doubleValue(), 1e-9);
      assertEquals(variance / (variance + GroupNorm.EPSILON), group.var(false).getDouble(0), 1e-9, "var / (var + eps)");
    }
    INDArray u = out.get(up.name());
    for (int yy = 0; yy < 6; yy++) {
      for (int xx = 0; xx < 6; xx++) {
        assertEquals(in.getDouble(1, 2, yy / 2, xx / 2), u.getDouble(1, 2, yy, xx), 0.0);
      }
    }
  }
}
