package io.sparkgen.model.nn;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.random.Rng;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fused ActNorm op equals x * exp(log s) + b written as SameDiff ops, values and gradients, in
 * float and double (its finite-difference check is the flow's, FlowLayersGradientTest.actNorm).
 */
class ChannelAffineTest {

  private static final List<String> WRT = List.of("x", "logS", "b");

  /** loss = sum(ActNorm(x) * r) over [5, 3, 130, 140] x (enough work to spread the blocks over threads). */
  private static SameDiff graph(boolean fused, DataType type) {
    Rng rng = new Rng(9);
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.var("x", rng.gaussian(type, 5, 3, 130, 140));
    SDVariable logS = sd.var("logS", rng.gaussian(type, 1, 3, 1, 1).muli(0.5));
    SDVariable b = sd.var("b", rng.gaussian(type, 1, 3, 1, 1));
    SDVariable y = fused ? Layers.channelAffine(sd, x, logS, b) : Layers.mulBroadcast(x, sd.math().exp(logS)).add(b);
    y.rename("y");
    SDVariable loss = y.mul(sd.constant(rng.gaussian(type, 5, 3, 130, 140))).sum().rename("loss");
    loss.markAsLoss();
    return sd;
  }

  @Test
  void fusedEqualsComposedValuesAndGradients() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      // float: SameDiff sums dL/db and dL/dlog s over 91 000 elements per channel in float, the
      // fused op in double
      double tolerance = type == DataType.FLOAT ? 1e-4 : 1e-12;
      SameDiff composed = graph(false, type);
      SameDiff fused = graph(true, type);
      assertClose(Forward.run(composed, Map.of(), "y").get("y"), Forward.run(fused, Map.of(), "y").get("y"), tolerance, type + " y");
      Map<String, INDArray> expected = composed.calculateGradients(Map.of(), WRT);
      try (Backprop.Result actual = Backprop.run(fused, Map.of(), List.of("loss"), WRT)) {
        for (String name : WRT) {
          assertClose(expected.get(name), actual.gradients().get(name), tolerance, type + " dL/d" + name);
        }
      }
    }
  }

  @Test
  void notAGroupNormAndRefusedBySameDiffsOwnSession() {
    SameDiff sd = graph(true, DataType.FLOAT);
    assertNull(GroupNorm.spec(sd.getVariableOutputOp("y")), "the marker is not read as a GroupNorm's");
    assertTrue(ChannelAffine.is(sd.getVariableOutputOp("y")));
    RuntimeException e = assertThrows(RuntimeException.class, () -> sd.output(Map.of(), "y"));
    assertTrue(String.valueOf(e.getMessage()).contains("layer_norm"), e.getMessage());
  }

  private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
    double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
    double error = expected.sub(actual).amaxNumber().doubleValue();
    assertTrue(error <= tolerance * scale, what + ": max error " + error + " of max " + scale);
  }
}
