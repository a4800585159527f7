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

/** The swapped ReLU backward op gives SameDiff's own gradients bit for bit, zeros included. */
class FastGradientOpsTest {

  /** loss = sum(relu(relu(x) W - 0.5) * r): x has exact zeros, negatives and positives. */
  private static SameDiff graph() {
    SameDiff sd = SameDiff.create();
    INDArray x = Nd4j.createFromArray(new float[][] {{0f, -1.5f, 2f, 0.25f}, {-0.5f, 0f, 3f, -2f}, {1f, 0f, -0.125f, 0.75f}});
    INDArray w = Nd4j.createFromArray(new float[][] {{0.5f, -1f, 0.25f}, {2f, 0.5f, -0.75f}, {-0.25f, 1f, 1.5f}, {1f, -0.5f, 0.5f}});
    INDArray r = Nd4j.createFromArray(new float[][] {{1f, -2f, 0.5f}, {3f, 0.25f, -1f}, {-0.5f, 1.5f, 2f}});
    SDVariable h = sd.nn().relu(sd.var("x", x), 0.0).mmul(sd.var("w", w)).sub(0.5);
    SDVariable loss = sd.nn().relu(h, 0.0).mul(sd.constant(r)).sum().rename("loss");
    loss.markAsLoss();
    return sd;
  }

  @Test
  void reluGradientsEqualSameDiffsAndTheSlowOpIsGone() {
    Map<String, INDArray> expected = graph().calculateGradients(Map.of(), List.of("x", "w"));
    SameDiff sd = graph();
    try (Backprop.Result actual = Backprop.run(sd, Map.of(), List.of("loss"), List.of("x", "w"))) {
      for (String name : List.of("x", "w")) {
        assertArrayEquals(
            expected.get(name).data().asFloat(), actual.gradients().get(name).data().asFloat(), 0f, name);
      }
      // relu'(0) = 0, as in SameDiff and PyTorch: x[0][0], x[1][1], x[2][1] are exactly zero.
      INDArray dx = actual.gradients().get("x");
      assertEquals(0.0, dx.getDouble(0, 0));
      assertEquals(0.0, dx.getDouble(1, 1));
      assertEquals(0.0, dx.getDouble(2, 1));
    }
    List<String> ops =
        sd.getFunction("grad").getOps().values().stream().map(op -> op.getOp().opName()).collect(Collectors.toList());
    assertTrue(ops.contains("relu_bp"), ops.toString());
    assertTrue(!ops.contains("thresholdedrelu_bp"), ops.toString());
  }
}
