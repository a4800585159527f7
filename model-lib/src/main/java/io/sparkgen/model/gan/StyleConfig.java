package io.sparkgen.model.gan;

import io.sparkgen.model.config.Check;
import java.util.List;

/**
 * Settings of the style-based generator ({@link StyleGan}; Karras et al. 2019, 2020), used when
 * {@code generator = style}.
 *
 * @param mappingLayers fully connected layers of the mapping network z -> w (the paper's 8)
 * @param wDim dimension of w (and of every mapping layer)
 * @param mappingLrMultiplier equalised-learning-rate multiplier of the mapping network (the paper's 0.01)
 * @param mixingProbability style-mixing regularisation: the fraction of training images whose
 *     layers after a random crossover take the styles of a second latent (the paper's 0.9)
 * @param wAvgBeta momentum of the tracked mean of w for the truncation trick (StyleGAN2's 0.995)
 * @param channels the learned constant's channels at the base resolution, then one 2x-upsampling
 *     block per further entry; the base resolution is the image size / 2^(channels.size() - 1)
 */
public record StyleConfig(
    int mappingLayers, int wDim, double mappingLrMultiplier, double mixingProbability, double wAvgBeta,
    List<Integer> channels) {

  public StyleConfig {
    Check.positive("style.mappingLayers", mappingLayers);
    Check.positive("style.wDim", wDim);
    Check.positive("style.mappingLrMultiplier", mappingLrMultiplier);
    if (!(mixingProbability >= 0 && mixingProbability <= 1)) {
      throw new IllegalArgumentException("style.mixingProbability must be in [0, 1], got " + mixingProbability);
    }
    Check.inRange("style.wAvgBeta", wAvgBeta, 0.0, 1.0);
    channels = List.copyOf(Check.notNull("style.channels", channels));
    if (channels.isEmpty()) {
      throw new IllegalArgumentException("style.channels must not be empty");
    }
    channels.forEach(c -> Check.positive("style.channels[]", c));
  }

  /** The paper's mapping (8 layers, lrmul 0.01, mixing 0.9), w and channels at the DCGAN's widths. */
  public static StyleConfig defaults() {
    return new StyleConfig(8, 256, 0.01, 0.9, 0.995, List.of(256, 128, 64));
  }

  /** Modulated 3x3 convolutions: one at the base resolution, two per upsampling block. */
  public int convolutions() {
    return 1 + 2 * (channels.size() - 1);
  }

  /** Layers that take a w: every convolution and the to-image layer. */
  public int styleLayers() {
    return convolutions() + 1;
  }
}
