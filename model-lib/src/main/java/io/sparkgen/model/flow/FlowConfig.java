package io.sparkgen.model.flow;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.config.Check;
import io.sparkgen.model.optim.AdamConfig;

/**
 * A single-scale Glow (Kingma &amp; Dhariwal 2018) on logit-transformed dequantised pixels (Dinh,
 * Sohl-Dickstein &amp; Bengio 2017, Sec. 4.1), sizes configurable.
 *
 * @param image image shape; height and width must be even (one squeeze to C*4 x H/2 x W/2)
 * @param numClasses label classes for conditioning, 0 for none; a label embedding of {@code
 *     hiddenChannels} is added to the first hidden layer of every coupling's conditioner NN
 * @param steps K, the number of flow steps ActNorm -> invertible 1x1 convolution -> affine coupling
 * @param hiddenChannels channels of the conditioner NN's two hidden layers (Glow: 512; here 64)
 * @param logitAlpha the alpha of the logit transform x = logit(alpha + (1 - 2 alpha) y) (RealNVP: 0.05)
 * @param temperature T of sampling, z ~ N(0, T^2 I) (Glow, Sec. 5: samples are shown at T = 0.7)
 * @param optimizer Adam (Glow trains with step size 1e-3)
 */
public record FlowConfig(
    ImageShape image,
    int numClasses,
    int steps,
    int hiddenChannels,
    double logitAlpha,
    double temperature,
    AdamConfig optimizer)
    implements ModelConfig {

  public FlowConfig {
    Check.notNull("image", image);
    Check.nonNegative("numClasses", numClasses);
    Check.positive("steps", steps);
    Check.positive("hiddenChannels", hiddenChannels);
    Check.inRange("logitAlpha", logitAlpha, 0.0, 0.5);
    Check.positive("logitAlpha", logitAlpha);
    Check.positive("temperature", temperature);
    Check.notNull("optimizer", optimizer);
    if (image.height() % 2 != 0 || image.width() % 2 != 0) {
      throw new IllegalArgumentException("image " + image.height() + "x" + image.width() + " must have even sides to squeeze");
    }
  }

  /** The reference model on 28x28x1: squeeze to 14x14x4, K = 8, conditioner 64 channels. */
  public static FlowConfig defaults() {
    return new FlowConfig(ImageShape.fashionMnist(), 0, 8, 64, 0.05, 0.7, AdamConfig.of(1e-3, 0.9));
  }

  /** Channels after the squeeze. */
  long squeezedChannels() {
    return 4L * image.channels();
  }

  long squeezedHeight() {
    return image.height() / 2;
  }

  long squeezedWidth() {
    return image.width() / 2;
  }

  boolean conditional() {
    return numClasses > 0;
  }
}
