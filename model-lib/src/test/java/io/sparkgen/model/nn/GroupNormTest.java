package io.sparkgen.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fused GroupNorm op, alone and with SiLU: the values and gradients of the same written as SameDiff ops, a
 * finite-difference check with respect to x, gamma and beta, run-to-run identical results, and a
 * loud failure in a session that does not know it.
 */
class GroupNormTest {

  private static final long[] SHAPE = {3, 6, 5, 4};
  private static final int GROUPS = 3;

  /** loss = sum(GroupNorm(x) * r) [or SiLU(GroupNorm(x))], fused or as SameDiff ops; x, gamma and beta are variables. */
  private static SameDiff graph(boolean fused, DataType type, boolean silu) {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.var("x", new Rng(1).gaussian(DataType.DOUBLE, SHAPE).muli(2).addi(1).castTo(type));
    SDVariable gamma = sd.var("gamma", new Rng(2).gaussian(DataType.DOUBLE, 1, SHAPE[1], 1, 1).addi(1).castTo(type));
    SDVariable beta = sd.var("beta", new Rng(3).gaussian(DataType.DOUBLE, 1, SHAPE[1], 1, 1).castTo(type));
    SDVariable y = fused ? GroupNorm.apply(sd, x, gamma, beta, GROUPS, silu) : composed(sd, x, gamma, beta);
    if (silu && !fused) {
      y = sd.nn().swish(y);
    }
    y.rename("y");
    SDVariable r = sd.constant(new Rng(4).gaussian(DataType.DOUBLE, SHAPE).castTo(type));
    y.mul(r).sum().rename("loss").markAsLoss();
    return sd;
  }

  /** The textbook definition in SameDiff ops, with the same epsilon. */
  private static SDVariable composed(SameDiff sd, SDVariable x, SDVariable gamma, SDVariable beta) {
    SDVariable grouped = x.reshape(SHAPE[0], GROUPS, -1);
    SDVariable centred = grouped.sub(grouped.mean(true, 2));
    SDVariable variance = centred.mul(centred).mean(true, 2);
    SDVariable xHat = centred.mul(sd.math().rsqrt(variance.add(GroupNorm.EPSILON))).reshape(SHAPE);
    return xHat.mul(gamma).add(beta);
  }

  private static Map<String, INDArray> run(SameDiff sd) {
    Map<String, INDArray> values = new HashMap<>();
    try (Backprop.Result result = Backprop.run(sd, Map.of(), List.of("y"), List.of("x", "gamma", "beta"))) {
      values.put("y", result.outputs().get("y").dup());
      result.gradients().forEach((name, gradient) -> values.put(name, gradient.dup()));
    }
    return values;
  }

  @Test
  void fusedOpHasTheComposedOpsValuesAndGradients() {
    for (boolean silu : new boolean[] {false, true})
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      Map<String, INDArray> fused = run(graph(true, type, silu));
      Map<String, INDArray> reference = run(graph(false, type, silu));
      double tolerance = type == DataType.FLOAT ? 2e-5 : 1e-12;
      for (String name : List.of("y", "x", "gamma", "beta")) {
        INDArray expected = reference.get(name);
        INDArray actual = fused.get(name);
        assertArrayEquals(expected.shape(), actual.shape(), name);
        double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
        double error = actual.sub(expected).amaxNumber().doubleValue() / scale;
        assertTrue(error < tolerance, type + (silu ? " with SiLU " : " ") + name + ": max error " + error);
      }
    }
  }

  @Test
  void passesTheFiniteDifferenceCheckForInputAndParameters() {
    for (boolean silu : new boolean[] {false, true}) {
      SameDiff sd = graph(true, DataType.DOUBLE, silu);
      double error = GradientCheck.maxRelativeError(sd, Map.of(), "loss", List.of("x", "gamma", "beta"), 1e-6, 1);
      assertTrue(error < 1e-5, (silu ? "with SiLU: " : "") + "max relative error " + error);
    }
  }

  @Test
  void runsGiveIdenticalResultsOnAnyThreadSplit() {
    List<Map<String, INDArray>> runs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      runs.add(run(graph(true, DataType.FLOAT, true)));
    }
    for (String name : List.of("y", "x", "gamma", "beta")) {
      for (Map<String, INDArray> other : runs.subList(1, runs.size())) {
        assertArrayEquals(runs.get(0).get(name).data().asFloat(), other.get(name).data().asFloat(), 0f, name);
      }
    }
  }

  @Test
  void layersGroupNormIsTheFusedOpWithPerChannelParameters() {
    NamedArrays params = NamedArrays.empty();
    GraphBuilder g = new GraphBuilder(params, NamedArrays.empty(), 1L, DataType.FLOAT);
    SDVariable x = g.placeholder("x", -1, 6, 5, 4);
    SDVariable y = Layers.groupNorm(g, "gn", x, 6, GROUPS);
    assertArrayEquals(new long[] {1, 6, 1, 1}, params.get("gn/gamma").shape());
    assertArrayEquals(new long[] {1, 6, 1, 1}, params.get("gn/beta").shape());
    assertEquals(new GroupNorm.Spec(GROUPS, false), GroupNorm.spec(y.getSameDiff().getVariableOutputOp(y.name())));
    SDVariable z = Layers.groupNormSilu(g, "gn2", x, 6, GROUPS);
    assertEquals(new GroupNorm.Spec(GROUPS, true), GroupNorm.spec(z.getSameDiff().getVariableOutputOp(z.name())));
    assertThrows(IllegalArgumentException.class, () -> Layers.groupNorm(g, "bad", x, 6, 4));
  }

  @Test
  void sameDiffsOwnSessionRefusesTheOpInsteadOfComputingALayerNorm() {
    SameDiff sd = graph(true, DataType.FLOAT, true);
    RuntimeException e = assertThrows(RuntimeException.class, () -> sd.output(Map.of(), "y"));
    assertTrue(String.valueOf(e.getMessage()).contains("layer_norm"), e.getMessage());
  }
}
