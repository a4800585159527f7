package io.sparkgen.model.diffusion;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.config.Check;
import io.sparkgen.model.optim.AdamConfig;
import java.util.List;

/**
 * A DDPM (Ho et al. 2020) with an epsilon-predicting UNet, sizes configurable.
 *
 * @param image image shape; height and width must be divisible by 2^(channels.size() - 1)
 * @param numClasses label classes for conditioning, 0 for none; the label embedding is added to
 *     the time embedding, and an all-zero label row is the "no label" of classifier-free guidance
 * @param channels UNet channels per resolution level, finest first (one residual block per level
 *     on the way down and on the way up, a stride-2 convolution between levels)
 * @param groups GroupNorm groups; must divide every channel count, concatenations included
 * @param timeEmbeddingDim width of the time (and label) embedding MLP; its sinusoidal input has
 *     channels[0] dimensions
 * @param timesteps T
 * @param schedule {@code linear} (Ho et al.) or {@code cosine} (Nichol &amp; Dhariwal 2021)
 * @param betaStart beta_0 of the linear schedule
 * @param betaEnd beta_{T-1} of the linear schedule
 * @param labelDropout probability of training a conditional model without its label, which
 *     makes classifier-free guidance possible (Ho &amp; Salimans 2021 use 0.1 or 0.2)
 * @param sampler default sampler: {@code ddpm}, {@code ddim} or {@code dpm-solver++}
 * @param samplerSteps default step count of {@code ddim} and {@code dpm-solver++}
 * @param guidance default classifier-free guidance weight w: eps = eps_u + w (eps_c - eps_u); 1
 *     is plain conditional sampling, 0 unconditional
 * @param optimizer Adam (Ho et al.: step size 2e-4 on CIFAR-10)
 */
public record DiffusionConfig(
    ImageShape image,
    int numClasses,
    List<Integer> channels,
    int groups,
    int timeEmbeddingDim,
    int timesteps,
    String schedule,
    double betaStart,
    double betaEnd,
    double labelDropout,
    String sampler,
    int samplerSteps,
    double guidance,
    AdamConfig optimizer)
    implements ModelConfig {

  public DiffusionConfig {
    Check.notNull("image", image);
    Check.nonNegative("numClasses", numClasses);
    channels = List.copyOf(Check.notNull("channels", channels));
    if (channels.isEmpty()) {
      throw new IllegalArgumentException("channels must name at least one level");
    }
    channels.forEach(c -> Check.positive("channels[]", c));
    Check.positive("groups", groups);
    Check.positive("timeEmbeddingDim", timeEmbeddingDim);
    Check.positive("timesteps", timesteps);
    Check.notNull("schedule", schedule);
    NoiseSchedule.Kind.named(schedule);
    Check.inRange("labelDropout", labelDropout, 0.0, 1.0);
    DiffusionSampling.checkDefaults(sampler, samplerSteps, timesteps, guidance);
    Check.notNull("optimizer", optimizer);
    if (channels.get(0) % 2 != 0 || channels.get(0) < 4) {
      throw new IllegalArgumentException("channels[0] = " + channels.get(0) + " must be even and >= 4 (sinusoidal time embedding)");
    }
    int factor = 1 << (channels.size() - 1);
    if (image.height() % factor != 0 || image.width() % factor != 0) {
      throw new IllegalArgumentException(
          "image " + image.height() + "x" + image.width() + " must be divisible by 2^" + (channels.size() - 1));
    }
    for (int i = 0; i < channels.size(); i++) {
      int below = i + 1 < channels.size() ? channels.get(i + 1) : channels.get(i);
      for (int c : new int[] {channels.get(i), channels.get(i) + below}) {
        if (c % groups != 0) {
          throw new IllegalArgumentException("groups " + groups + " must divide every channel count, not " + c);
        }
      }
    }
  }

  /** The reference model on 28x28x1: UNet 32/64/128 at 28/14/7, GroupNorm(8), T = 1000, linear betas. */
  public static DiffusionConfig defaults() {
    return new DiffusionConfig(
        ImageShape.fashionMnist(), 0, List.of(32, 64, 128), 8, 128, 1000, "linear", 1e-4, 0.02, 0.1,
        "dpm-solver++", 20, 1.0, AdamConfig.of(2e-4, 0.9));
  }

  NoiseSchedule noiseSchedule() {
    return NoiseSchedule.of(NoiseSchedule.Kind.named(schedule), timesteps, betaStart, betaEnd);
  }

  boolean conditional() {
    return numClasses > 0;
  }
}
