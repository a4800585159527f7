package io.sparkgen.model.nn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.random.Rng;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/** The chunked convolution backward pass gives the whole batch's gradients, and runs only where the rule says. */
class ConvBackwardTest {

  private static Conv2DConfig config(int k, int stride) {
    return Conv2DConfig.builder().kH(k).kW(k).sH(stride).sW(stride)
        .paddingMode(PaddingMode.SAME).dataFormat(Conv2DConfig.NCHW).build();
  }

  private static boolean splits(long batch, long in, long out, long size, int k, int stride) {
    INDArray x = Nd4j.create(DataType.FLOAT, batch, in, size, size);
    INDArray w = Nd4j.create(DataType.FLOAT, k, k, in, out);
    long outSize = size / stride;
    INDArray gradOut = Nd4j.create(DataType.FLOAT, batch, out, outSize, outSize);
    long[] args = new Conv2D(new INDArray[] {x, w}, new INDArray[] {gradOut}, config(k, stride)).iArgs();
    return ConvBackward.splits(List.of(x, w, gradOut), List.of(x.ulike(), w.ulike()), args);
  }

  @Test
  void splitsOnlyLargeThreeByThreeStrideOneConvolutionsOfSmallImagesOfMoreThanEightImages() {
    assertTrue(splits(64, 128, 128, 14, 3, 1));
    assertTrue(splits(64, 192, 64, 14, 3, 1));
    assertTrue(splits(64, 256, 128, 7, 3, 1));
    assertTrue(splits(9, 256, 128, 7, 3, 1));
    assertFalse(splits(8, 256, 128, 7, 3, 1), "8 images: oneDNN uses its direct kernels anyway");
    assertFalse(splits(64, 128, 128, 7, 3, 1), "too little work");
    assertFalse(splits(64, 64, 64, 14, 3, 1), "too little work");
    assertFalse(splits(64, 64, 64, 28, 3, 1), "28x28: Winograd is fast");
    assertFalse(splits(64, 192, 64, 14, 1, 1), "1x1 kernel");
    assertFalse(splits(64, 128, 128, 14, 3, 2), "stride 2");
  }

  /** loss = sum((conv(x, W) + b) * r) over 13 images (chunks of 8 and 5), 128 -> 128 channels at 14x14. */
  private static SameDiff graph(boolean bias) {
    Rng rng = new Rng(3);
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.var("x", rng.gaussian(DataType.FLOAT, 13, 128, 14, 14));
    SDVariable w = sd.var("w", rng.gaussian(DataType.FLOAT, 3, 3, 128, 128).muli(0.05));
    SDVariable y = bias
        ? sd.cnn().conv2d(x, w, sd.var("b", rng.gaussian(DataType.FLOAT, 128)), config(3, 1))
        : sd.cnn().conv2d(x, w, config(3, 1));
    SDVariable loss = y.mul(sd.constant(rng.gaussian(DataType.FLOAT, 13, 128, 14, 14))).sum().rename("loss");
    loss.markAsLoss();
    return sd;
  }

  @Test
  void chunkedGradientsEqualTheWholeBatchsToFloatRounding() {
    assertTrue(splits(13, 128, 128, 14, 3, 1), "the graph below must take the chunked path");
    for (boolean bias : new boolean[] {true, false}) {
      List<String> wrt = bias ? List.of("x", "w", "b") : List.of("x", "w");
      Map<String, INDArray> whole = graph(bias).calculateGradients(Map.of(), wrt);
      try (Backprop.Result chunked = Backprop.run(graph(bias), Map.of(), List.of("loss"), wrt)) {
        for (String name : wrt) {
          INDArray expected = whole.get(name);
          INDArray actual = chunked.gradients().get(name);
          double scale = expected.amaxNumber().doubleValue();
          double error = expected.sub(actual).amaxNumber().doubleValue();
          assertTrue(error <= 1e-5 * scale, name + " (bias " + bias + "): max error " + error + " of max " + scale);
        }
      }
    }
  }
}
