package io.sparkgen.model.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.flow.FlowLayers.Flowed;
import io.sparkgen.model.nn.Forward;
import io.sparkgen.model.nn.GradientCheck;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.nn.Init;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finite-difference checks (double precision) of the flow's layers: L = sum(y (.) R) + sum(log|det|)
 * for a fixed random R, differentiated with respect to every parameter and to the input x (a
 * variable here), so that both the layer's output and its log-determinant are checked. Coupling
 * checks take every 5th (9th) element of each array to stay fast.
 */
class FlowLayersGradientTest {

  private static final double TOLERANCE = 1e-5;
  private static final long[] IN = {2, 4, 3, 3};

  private static void check(NamedArrays params, NamedArrays buffers, int stride, BiFunction<GraphBuilder, SDVariable, Flowed> layer) {
    GraphBuilder g = new GraphBuilder(params, buffers, 11L, DataType.DOUBLE);
    SDVariable x = g.param("x", Init.ZEROS, IN);
    Flowed out = layer.apply(g, x);
    // Move every parameter off its initial value: zero-initialised layers would hide terms.
    params.asMap().forEach((n, a) -> a.addi(new Rng(n.hashCode()).gaussian(DataType.DOUBLE, a.shape()).muli(0.3)));
    params.get("x").assign(new Rng(1).gaussian(DataType.DOUBLE, IN));
    if (params.contains("y")) {
      params.get("y").assign(Nd4j.createFromArray(new double[][] {{0, 1, 0}, {0, 0, 1}}));
    }
    SDVariable r = g.placeholder("r", IN);
    SDVariable loss = out.y().mul(r).sum().add(out.logDet().sum());
    loss.markAsLoss();
    Map<String, INDArray> in = new HashMap<>();
    in.put("r", new Rng(2).gaussian(DataType.DOUBLE, IN));
    assertArrayEquals(IN, Forward.run(g.sd(), in, out.y().name()).get(out.y().name()).shape());
    List<String> names = new ArrayList<>(params.names());
    names.remove("y"); // one-hot labels: an input, not differentiated
    double error = GradientCheck.maxRelativeError(g.sd(), in, loss.name(), names, 1e-6, stride);
    assertTrue(error < TOLERANCE, "max relative error " + error);
  }

  @Test
  void actNorm() {
    check(NamedArrays.empty(), NamedArrays.empty(), 1, (g, x) -> FlowLayers.actNorm(g, "an", x, 4, 9));
  }

  @Test
  void invertibleOneByOneConvolutionLu() {
    NamedArrays params = NamedArrays.empty();
    NamedArrays buffers = NamedArrays.empty();
    FlowLayers.initInvConv(params, buffers, "w", 4, 3L, DataType.DOUBLE);
    check(params, buffers, 1, (g, x) -> FlowLayers.invConv(g, "w", x, 4, 9));
  }

  @Test
  void affineCouplingWithLabelEmbedding() {
    NamedArrays params = NamedArrays.empty();
    FlowLayers.initCoupling(params, "cp", 4, 3, DataType.DOUBLE);
    params.put("y", Nd4j.zeros(DataType.DOUBLE, 2, 3));
    check(params, NamedArrays.empty(), 5, (g, x) -> FlowLayers.coupling(g, "cp", x, g.param("y", Init.ZEROS, 2, 3), 4, 3, 3));
  }

  @Test
  void affineCouplingUnconditional() {
    NamedArrays params = NamedArrays.empty();
    FlowLayers.initCoupling(params, "cp", 4, 3, DataType.DOUBLE);
    check(params, NamedArrays.empty(), 9, (g, x) -> FlowLayers.coupling(g, "cp", x, null, 4, 3, 0));
  }

  @Test
  void squeezeIsDifferentiableAndPlacesEachPixelWhereDocumented() {
    // Squeeze of [2, 1, 6, 6] to [2, 4, 3, 3]: channel 2 dy + dx holds x[2i + dy, 2j + dx].
    NamedArrays params = NamedArrays.empty();
    GraphBuilder g = new GraphBuilder(params, NamedArrays.empty(), 1L, DataType.DOUBLE);
    SDVariable x = g.param("x", Init.ZEROS, 2, 1, 6, 6);
    SDVariable s = FlowLayers.squeeze(x, 1, 6, 6);
    SDVariable back = FlowLayers.unsqueeze(s, 1, 6, 6);
    INDArray v = new Rng(3).gaussian(DataType.DOUBLE, 2, 1, 6, 6);
    params.get("x").assign(v);
    Map<String, INDArray> out = g.sd().output(new HashMap<>(), s.name(), back.name());
    INDArray sq = out.get(s.name());
    assertArrayEquals(new long[] {2, 4, 3, 3}, sq.shape());
    assertEquals(v.getDouble(1, 0, 3, 4), sq.getDouble(1, 2, 1, 2), 0.0); // dy = 1, dx = 0
    assertEquals(v.getDouble(0, 0, 4, 1), sq.getDouble(0, 1, 2, 0), 0.0); // dy = 0, dx = 1
    assertEquals(v, out.get(back.name()));
    SDVariable r = g.placeholder("r", 2, 4, 3, 3);
    SDVariable loss = s.mul(r).sum();
    loss.markAsLoss();
    Map<String, INDArray> in = Map.of("r", new Rng(2).gaussian(DataType.DOUBLE, 2, 4, 3, 3));
    assertTrue(GradientCheck.maxRelativeError(g.sd(), in, loss.name(), List.of("x"), 1e-6, 1) < TOLERANCE);
  }

  @Test
  void wholeDensityGraph() {
    FlowConfig c = new FlowConfig(new ImageShape(1, 4, 4), 2, 2, 4, 0.05, 1.0, AdamConfig.of(1e-3, 0.9));
    FlowNetwork net = new FlowNetwork(c, 5L, DataType.DOUBLE);
    net.parameters().asMap().forEach((n, a) -> a.addi(new Rng(n.hashCode()).gaussian(DataType.DOUBLE, a.shape()).muli(0.2)));
    Map<String, INDArray> in = net.inputs(FlowNetwork.X, new Rng(4).gaussian(DataType.DOUBLE, 3, 1, 4, 4), new int[] {0, 1, 1});
    // Every 37th element of every parameter: each layer is checked more densely above.
    double error = GradientCheck.maxRelativeError(net.density, in, net.loss, new ArrayList<>(net.parameters().names()), 1e-6, 37);
    assertTrue(error < 1e-4, "max relative error " + error);
  }
}
