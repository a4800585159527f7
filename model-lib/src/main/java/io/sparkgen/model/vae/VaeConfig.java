package io.sparkgen.model.vae;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.config.Check;
import io.sparkgen.model.optim.AdamConfig;
import java.util.List;

/**
 * The convolutional VAE of TensorFlow's CVAE tutorial, sizes configurable.
 *
 * @param image image shape; height and width must be divisible by 2^decoderChannels.size()
 * @param numClasses label classes for conditioning, 0 for none
 * @param labelEmbeddingDim size of the label embedding, concatenated to the encoder's features and to z
 * @param latentDim dimension of z
 * @param kernelSize kernel of every convolution
 * @param encoderChannels one 'valid' stride-2 ReLU convolution per entry
 * @param decoderBaseChannels channels of the Dense layer's output map, at size / 2^k
 * @param decoderChannels one 'same' stride-2 ReLU transposed convolution per entry (k of them)
 * @param optimizer Adam; the tutorial uses step size 1e-4
 */
public record VaeConfig(
    ImageShape image,
    int numClasses,
    int labelEmbeddingDim,
    int latentDim,
    int kernelSize,
    List<Integer> encoderChannels,
    int decoderBaseChannels,
    List<Integer> decoderChannels,
    AdamConfig optimizer)
    implements ModelConfig {

  public VaeConfig {
    Check.notNull("image", image);
    Check.nonNegative("numClasses", numClasses);
    Check.positive("labelEmbeddingDim", labelEmbeddingDim);
    Check.positive("latentDim", latentDim);
    Check.positive("kernelSize", kernelSize);
    encoderChannels = List.copyOf(Check.notNull("encoderChannels", encoderChannels));
    decoderChannels = List.copyOf(Check.notNull("decoderChannels", decoderChannels));
    Check.positive("decoderBaseChannels", decoderBaseChannels);
    Check.notNull("optimizer", optimizer);
    encoderChannels.forEach(c -> Check.positive("encoderChannels[]", c));
    decoderChannels.forEach(c -> Check.positive("decoderChannels[]", c));
    int factor = 1 << decoderChannels.size();
    if (image.height() % factor != 0 || image.width() % factor != 0) {
      throw new IllegalArgumentException(
          "image " + image.height() + "x" + image.width() + " must be divisible by 2^" + decoderChannels.size());
    }
    int h = image.height();
    int w = image.width();
    for (int i = 0; i < encoderChannels.size(); i++) {
      h = (h - kernelSize) / 2 + 1;
      w = (w - kernelSize) / 2 + 1;
    }
    if (h < 1 || w < 1) {
      throw new IllegalArgumentException("image too small for " + encoderChannels.size() + " valid convolutions");
    }
  }

  /** The tutorial's model on 28x28x1: latent 16, encoder 32, 64; decoder 7x7x32, 64, 32. */
  public static VaeConfig defaults() {
    return new VaeConfig(
        ImageShape.fashionMnist(), 0, 16, 16, 3, List.of(32, 64), 32, List.of(64, 32), AdamConfig.of(1e-4, 0.9));
  }

  /** Height and width of the encoder's last feature map ('valid' stride-2 convolutions). */
  int[] encoderOutputSize() {
    int h = image.height();
    int w = image.width();
    for (int i = 0; i < encoderChannels.size(); i++) {
      h = (h - kernelSize) / 2 + 1;
      w = (w - kernelSize) / 2 + 1;
    }
    return new int[] {h, w};
  }

  boolean conditional() {
    return numClasses > 0;
  }
}
