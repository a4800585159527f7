package io.sparkgen.model.latentdiffusion;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.config.Check;
import io.sparkgen.model.diffusion.DiffusionSampling;
import io.sparkgen.model.diffusion.NoiseSchedule;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.vae.VaeConfig;

/**
 * Latent diffusion (Rombach et al. 2022): a DDPM on the latent vectors of a trained, frozen VAE,
 * whose denoiser is a residual MLP. The autoencoder fields are completed from its checkpoint when
 * the model is first created ({@code BuildsOnCheckpoint}); a user names only {@code autoencoder}.
 *
 * @param image image shape; must be the autoencoder's
 * @param numClasses label classes for conditioning, 0 for none; a conditional autoencoder needs
 *     the same classes. The label embedding is added to the time embedding; an all-zero label row is
 *     the "no label" of classifier-free guidance
 * @param autoencoder the trained VAE: a checkpoint file, or a run directory meaning its newest
 *     checkpoint; once resolved, the file itself
 * @param autoencoderSha256 SHA-256 of the autoencoder checkpoint; blank until resolved, and if a
 *     user sets it, the checkpoint must have it
 * @param autoencoderConfig the autoencoder's config, as its checkpoint records it (set on resolution)
 * @param width hidden width of the residual MLP
 * @param blocks residual blocks (GroupNorm, SiLU, dense plus the time embedding; GroupNorm, SiLU,
 *     zero-initialised dense)
 * @param groups GroupNorm groups over the width; must divide it
 * @param timeFeatureDim dimension of the sinusoidal time features (even, &gt;= 4)
 * @param timeEmbeddingDim width of the time (and label) embedding MLP
 * @param timesteps T
 * @param schedule {@code linear} (Ho et al.) or {@code cosine} (Nichol &amp; Dhariwal 2021)
 * @param betaStart beta_0 of the linear schedule
 * @param betaEnd beta_{T-1} of the linear schedule
 * @param labelDropout probability of training a conditional model without its label
 * @param sampler default sampler: {@code ddpm}, {@code ddim} or {@code dpm-solver++}
 * @param samplerSteps default step count of {@code ddim} and {@code dpm-solver++}
 * @param guidance default classifier-free guidance weight w
 * @param optimizer Adam of the denoiser (the autoencoder is frozen)
 */
public record LatentDiffusionConfig(
    ImageShape image,
    int numClasses,
    String autoencoder,
    String autoencoderSha256,
    VaeConfig autoencoderConfig,
    int width,
    int blocks,
    int groups,
    int timeFeatureDim,
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

  public LatentDiffusionConfig {
    Check.notNull("image", image);
    Check.nonNegative("numClasses", numClasses);
    Check.notNull("autoencoder", autoencoder);
    Check.notNull("autoencoderSha256", autoencoderSha256);
    Check.notNull("autoencoderConfig", autoencoderConfig);
    Check.positive("width", width);
    Check.positive("blocks", blocks);
    Check.positive("groups", groups);
    if (width % groups != 0) {
      throw new IllegalArgumentException("groups " + groups + " must divide width " + width);
    }
    if (timeFeatureDim % 2 != 0 || timeFeatureDim < 4) {
      throw new IllegalArgumentException("timeFeatureDim must be even and >= 4, got " + timeFeatureDim);
    }
    Check.positive("timeEmbeddingDim", timeEmbeddingDim);
    Check.positive("timesteps", timesteps);
    Check.notNull("schedule", schedule);
    Check.inRange("labelDropout", labelDropout, 0.0, 1.0);
    DiffusionSampling.checkDefaults(sampler, samplerSteps, timesteps, guidance);
    Check.notNull("optimizer", optimizer);
    noiseSchedule(schedule, timesteps, betaStart, betaEnd);
  }

  /**
   * On the default VAE (latent 16): MLP width 256, 3 residual blocks, GroupNorm(8), time features
   * 64, embedding 256; T = 1000, linear betas as Ho et al.; DPM-Solver++ in 20 steps.
   */
  public static LatentDiffusionConfig defaults() {
    return new LatentDiffusionConfig(
        ImageShape.fashionMnist(), 0, "", "", VaeConfig.defaults(), 256, 3, 8, 64, 256, 1000, "linear", 1e-4, 0.02,
        0.1, "dpm-solver++", 20, 1.0, AdamConfig.of(2e-4, 0.9));
  }

  /** This config on the autoencoder checkpoint at {@code location}: its hash and its config. */
  LatentDiffusionConfig on(String location, String sha256, VaeConfig vae) {
    return new LatentDiffusionConfig(image, numClasses, location, sha256, vae, width, blocks, groups, timeFeatureDim,
        timeEmbeddingDim, timesteps, schedule, betaStart, betaEnd, labelDropout, sampler, samplerSteps, guidance,
        optimizer);
  }

  NoiseSchedule noiseSchedule() {
    return noiseSchedule(schedule, timesteps, betaStart, betaEnd);
  }

  private static NoiseSchedule noiseSchedule(String schedule, int timesteps, double betaStart, double betaEnd) {
    return NoiseSchedule.of(NoiseSchedule.Kind.named(schedule), timesteps, betaStart, betaEnd);
  }

  int latentDim() {
    return autoencoderConfig.latentDim();
  }

  boolean conditional() {
    return numClasses > 0;
  }
}
