package io.sparkgen.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * Asserts that Backprop's gradients equal SameDiff's own and returns them; {@code ops} receives
   * the op names of Backprop's gradient function.
   */
  private static Map<String, INDArray> gradients(boolean leaky, List<String> ops) {
    Map<String, INDArray> expected = graph(leaky).calculateGradients(Map.of(), List.of("x", "w"));
    SameDiff sd = graph(leaky);
    Map<String, INDArray> copies = new HashMap<>();
    try (Backprop.Result actual = Backprop.run(sd, Map.of(), List.of("loss"), List.of("x", "w"))) {
      for (String name : List.of("x", "w")) {
        assertArrayEquals(
            expected.get(name).data().asFloat(), actual.gradients().get(name).data().asFloat(), 0f, name);
        copies.put(name, actual.gradients().get(name).dup());
      }
    }
    sd.getFunction("grad").getOps().values().forEach(op -> ops.add(op.getOp().opName()));
    return copies;
  }

  @Test
  void reluGradientsEqualSameDiffsAndTheSlowOpIsGone() {
    List<String> ops = new ArrayList<>();
    INDArray dx = gradients(false, ops).get("x");
    // relu'(0) = 0, as in SameDiff and PyTorch: x[0][0], x[1][1], x[2][1] are exactly zero
    // (dL/dy * 0 may be -0.0, which compares equal to 0 above).
    assertEquals(0.0, Math.abs(dx.getDouble(0, 0)));
    assertEquals(0.0, Math.abs(dx.getDouble(1, 1)));
    assertEquals(0.0, Math.abs(dx.getDouble(2, 1)));
    assertTrue(ops.contains("step"), ops.toString());
    assertTrue(!ops.contains("thresholdedrelu_bp"), ops.toString());
  }

  @Test
  void leakyReluGradientsEqualSameDiffsAndTheSlowOpIsGone() {
    List<String> ops = new ArrayList<>();
    gradients(true, ops);
    assertTrue(ops.contains("leakyreluderivative"), ops.toString());
    assertTrue(!ops.contains("lrelu_bp"), ops.toString());
  }
}
