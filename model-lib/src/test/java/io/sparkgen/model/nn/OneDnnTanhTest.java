package io.sparkgen.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkgen.model.random.Rng;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/** tanh runs as libnd4j's custom op in our sessions; SiLU built on it has swish's values and gradient. */
class OneDnnTanhTest {

  @Test
  void sessionsTanhIsTheCustomOpsAndAgreesWithTheLegacyTransform() {
    INDArray x = new Rng(3).gaussian(DataType.FLOAT, 4, 8, 5, 5).muli(3.0);
    SameDiff sd = SameDiff.create();
    sd.math().tanh(sd.placeHolder("x", DataType.FLOAT, -1, 8, 5, 5)).rename("y");
    INDArray actual = Forward.run(sd, Map.of("x", x), "y").get("y");

    INDArray custom = x.ulike();
    Nd4j.exec(DynamicCustomOp.builder("tanh").addInputs(x).addOutputs(custom).build());
    assertArrayEquals(custom.data().asFloat(), actual.data().asFloat(), 0f, "the custom op's values, bit for bit");
    INDArray legacy = sd.output(Map.of("x", x), "y").get("y");
    assertArrayEquals(legacy.data().asFloat(), actual.data().asFloat(), 2e-6f, "SameDiff's legacy tanh");
  }

  @Test
  void siluHasSwishsValuesAndGradient() {
    INDArray x = new Rng(4).gaussian(DataType.FLOAT, 4, 8, 5, 5).muli(4.0);
    INDArray r = new Rng(5).gaussian(DataType.FLOAT, 4, 8, 5, 5);
    float[][] values = new float[2][];
    float[][] gradients = new float[2][];
    for (int k = 0; k < 2; k++) {
      SameDiff sd = SameDiff.create();
      SDVariable v = sd.var("x", x.dup());
      SDVariable y = (k == 0 ? Layers.silu(sd, v) : sd.nn().swish(v)).rename("y");
      y.mul(sd.constant(r)).sum().rename("loss").markAsLoss();
      try (Backprop.Result result = Backprop.run(sd, Map.of(), List.of("y"), List.of("x"))) {
        values[k] = result.outputs().get("y").data().asFloat();
        gradients[k] = result.gradients().get("x").data().asFloat();
      }
    }
    assertEquals(x.length(), values[0].length);
    assertArrayEquals(values[1], values[0], 2e-6f * 16, "x * sigmoid(x) for |x| up to ~16");
    assertArrayEquals(gradients[1], gradients[0], 2e-6f * 16, "r * swish'(x)");
  }
}
