package io.sparkgen.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The rewritten ReLU and LeakyReLU backward ops give SameDiff's own gradients exactly (a zero
 * gradient may now be -0.0), at exact zeros of the input too.
 */
class FastGradientOpsTest {

  /**
   * loss = sum(act(act(x) W - 0.5) * r) with act ReLU or LeakyReLU(0.2): x has exact zeros,
   * negatives and positives.
   */
  private static SameDiff graph(boolean leaky) {
    SameDiff sd = SameDiff.create();
    INDArray x = Nd4j.createFromArray(new float[][] {{0f, -1.5f, 2f, 0.25f}, {-0.5f, 0f, 3f, -2f}, {1f, 0f, -0.125f, 0.75f}});
    INDArray w = Nd4j.createFromArray(new float[][] {{0.5f, -1f, 0.25f}, {2f, 0.5f, -0.75f}, {-0.25f, 1f, 1.5f}, {1f, -0.5f, 0.5f}});
    INDArray r = Nd4j.createFromArray(new float[][] {{1f, -2f, 0.5f}, {3f, 0.25f, -1f}, {-0.5f, 1.5f, 2f}});
    SDVariable h = act(sd, sd.var("x", x), leaky).mmul(sd.var("w", w)).sub(0.5);
    SDVariable loss = act(sd, h, leaky).mul(sd.constant(r)).sum().rename("loss");
    loss.markAsLoss();
    return sd;
  }

  private static SDVariable act(SameDiff sd, SDVariable x, boolean leaky) {
    return leaky ? sd.nn().leakyRelu(x, 0.2) : sd.nn().relu(x, 0.0);
  }

  @Test
  void reluGradientsEqualSameDiffsAndTheSlowOpIsGone() {
    Map<String, INDArray> expected = graph(false).calculateGradients(Map.of(), List.of("x", "w"));
    SameDiff sd = graph(false);
    try (Backprop.Result actual = Backprop.run(sd, Map.of(), List.of("loss"), List.of("x", "w"))) {
      for (String name : List.of("x", "w")) {
        assertArrayEquals(
            expected.get(name).data().asFloat(), actual.gradients().get(name).data().asFloat(), 0f, name);
      }
      // relu'(0) = 0, as in SameDiff and PyTorch: x[0][0], x[1][1], x[2][1] are exactly zero.
      INDArray dx = actual.gradients().get("x");
      // (dL/dy * 0 may be -0.0, which compares equal to 0 in the arrays above.)
      assertEquals(0.0, Math.abs(dx.getDouble(0, 0)));
      assertEquals(0.0, Math.abs(dx.getDouble(1, 1)));
      assertEquals(0.0, Math.abs(dx.getDouble(2, 1)));
    }
    List<String> ops =
        sd.getFunction("grad").getOps().values().stream().map(op -> op.getOp().opName()).collect(Collectors.toList());
    assertTrue(ops.contains("step"), ops.toString());
    assertTrue(!ops.contains("thresholdedrelu_bp"), ops.toString());
  }

  @Test
  void leakyReluGradientsEqualSameDiffsAndTheSlowOpIsGone() {
    Map<String, INDArray> expected = graph(true).calculateGradients(Map.of(), List.of("x", "w"));
    SameDiff sd = graph(true);
    try (Backprop.Result actual = Backprop.run(sd, Map.of(), List.of("loss"), List.of("x", "w"))) {
      for (String name : List.of("x", "w")) {
        assertArrayEquals(
            expected.get(name).data().asFloat(), actual.gradients().get(name).data().asFloat(), 0f, name);
      }
    }
    List<String> ops =
        sd.getFunction("grad").getOps().values().stream().map(op -> op.getOp().opName()).collect(Collectors.toList());
    assertTrue(ops.contains("leakyreluderivative"), ops.toString());
    assertTrue(!ops.contains("lrelu_bp"), ops.toString());
  }
}
