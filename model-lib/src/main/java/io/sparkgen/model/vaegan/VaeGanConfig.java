package io.sparkgen.model.vaegan;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.config.Check;
import io.sparkgen.model.gan.GanConfig;
import io.sparkgen.model.gan.GanGenerator;
import io.sparkgen.model.gan.GanLoss;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.vae.VaeConfig;
import java.util.List;

/**
 * VAE-GAN (Larsen et al. 2016): the vae family's encoder and decoder ({@link #vae()}) and the gan
 * family's DCGAN discriminator ({@link #discriminator()}), with the hybrid's loss weights. Flat, so
 * that the image shape and class count a job sets reach all three players.
 *
 * @param image image shape; height and width divisible by 2^decoderChannels.size()
 * @param numClasses label classes for conditioning of all three players, 0 for none
 * @param labelEmbeddingDim label embedding size of every player
 * @param latentDim dimension of z
 * @param kernelSize kernel of the encoder's and decoder's convolutions (the VAE's)
 * @param encoderChannels one 'valid' stride-2 ReLU convolution per entry (the VAE's)
 * @param decoderBaseChannels channels of the decoder's Dense output map (the VAE's)
 * @param decoderChannels one stride-2 ReLU transposed convolution per entry (the VAE's)
 * @param discriminatorKernelSize kernel of D's convolutions (the DCGAN's)
 * @param discriminatorChannels one stride-2 convolution + LeakyReLU + dropout per entry, then Dense 1 (the DCGAN's)
 * @param leakyReluSlope D's LeakyReLU slope
 * @param dropoutRate D's dropout
 * @param featureLayer l of Dis_l: the convolution block of D (1-based) whose output is the learned
 *     similarity metric's feature space
 * @param reconVsGanWeight w in [0, 1]: the decoder minimises w * reconstruction + (1 - w) * GAN loss, the
 *     paper's gamma L_llike - L_GAN up to scale with gamma = w / (1 - w) (the authors' code,
 *     recon_vs_gan_weight, default 1e-2); 1 trains the decoder on reconstruction alone
 * @param pixelWeight p in [0, 1]: reconstruction = (1 - p) * Dis_l error + p * pixel Bernoulli error for
 *     encoder and decoder; 0 is the paper's, 1 the VAE's
 * @param encoderOptimizer Adam of the encoder
 * @param decoderOptimizer Adam of the decoder
 * @param discriminatorOptimizer Adam of D
 */
public record VaeGanConfig(
    ImageShape image,
    int numClasses,
    int labelEmbeddingDim,
    int latentDim,
    int kernelSize,
    List<Integer> encoderChannels,
    int decoderBaseChannels,
    List<Integer> decoderChannels,
    int discriminatorKernelSize,
    List<Integer> discriminatorChannels,
    double leakyReluSlope,
    double dropoutRate,
    int featureLayer,
    double reconVsGanWeight,
    double pixelWeight,
    AdamConfig encoderOptimizer,
    AdamConfig decoderOptimizer,
    AdamConfig discriminatorOptimizer)
    implements ModelConfig {

  public VaeGanConfig {
    Check.notNull("image", image);
    encoderChannels = List.copyOf(Check.notNull("encoderChannels", encoderChannels));
    decoderChannels = List.copyOf(Check.notNull("decoderChannels", decoderChannels));
    discriminatorChannels = List.copyOf(Check.notNull("discriminatorChannels", discriminatorChannels));
    Check.positive("discriminatorKernelSize", discriminatorKernelSize);
    Check.notNull("encoderOptimizer", encoderOptimizer);
    Check.notNull("decoderOptimizer", decoderOptimizer);
    Check.notNull("discriminatorOptimizer", discriminatorOptimizer);
    unitInterval("reconVsGanWeight", reconVsGanWeight);
    unitInterval("pixelWeight", pixelWeight);
    if (featureLayer < 1 || featureLayer > discriminatorChannels.size()) {
      throw new IllegalArgumentException(
          "featureLayer must be in [1, " + discriminatorChannels.size() + "] (a block of discriminatorChannels), got "
              + featureLayer);
    }
    // The parts validate the rest, naming the same fields.
    vaePart(image, numClasses, labelEmbeddingDim, latentDim, kernelSize, encoderChannels, decoderBaseChannels,
        decoderChannels, encoderOptimizer);
    discriminatorPart(image, numClasses, labelEmbeddingDim, latentDim, discriminatorKernelSize, discriminatorChannels,
        leakyReluSlope, dropoutRate, discriminatorOptimizer);
  }

  /**
   * The vae family's default encoder and decoder and the gan family's default (DCGAN) discriminator,
   * all three with the DCGAN's Adam (2e-4, beta1 0.5); D's fourth-layer-of-four of the paper
   * becomes the last of DCGAN's two blocks; the authors' code's recon_vs_gan_weight 1e-2.
   */
  public static VaeGanConfig defaults() {
    VaeConfig v = VaeConfig.defaults();
    GanConfig d = GanConfig.defaults();
    return new VaeGanConfig(
        v.image(), v.numClasses(), v.labelEmbeddingDim(), v.latentDim(), v.kernelSize(), v.encoderChannels(),
        v.decoderBaseChannels(), v.decoderChannels(), d.kernelSize(), d.discriminatorChannels(), d.leakyReluSlope(),
        d.dropoutRate(), d.discriminatorChannels().size(), 1e-2, 0.0, d.generatorOptimizer(), d.generatorOptimizer(),
        d.discriminatorOptimizer());
  }

  /** The encoder and decoder as the vae family's config (its optimizer field is the encoder's; unused here). */
  public VaeConfig vae() {
    return vaePart(image, numClasses, labelEmbeddingDim, latentDim, kernelSize, encoderChannels, decoderBaseChannels,
        decoderChannels, encoderOptimizer);
  }

  /**
   * D as a gan-family config for {@link io.sparkgen.model.gan.Dcgan}, which reads only its
   * discriminator fields here: the generator fields are the smallest valid ones and never used.
   */
  public GanConfig discriminator() {
    return discriminatorPart(image, numClasses, labelEmbeddingDim, latentDim, discriminatorKernelSize,
        discriminatorChannels, leakyReluSlope, dropoutRate, discriminatorOptimizer);
  }

  boolean conditional() {
    return numClasses > 0;
  }

  private static void unitInterval(String field, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(field + " must be in [0, 1], got " + value);
    }
  }

  private static VaeConfig vaePart(
      ImageShape image, int numClasses, int labelEmbeddingDim, int latentDim, int kernelSize,
      List<Integer> encoderChannels, int decoderBaseChannels, List<Integer> decoderChannels, AdamConfig optimizer) {
    return new VaeConfig(image, numClasses, labelEmbeddingDim, latentDim, kernelSize, encoderChannels,
        decoderBaseChannels, decoderChannels, optimizer);
  }

  private static GanConfig discriminatorPart(
      ImageShape image, int numClasses, int labelEmbeddingDim, int latentDim, int kernelSize,
      List<Integer> discriminatorChannels, double leakyReluSlope, double dropoutRate, AdamConfig optimizer) {
    GanConfig d = GanConfig.defaults();
    return new GanConfig(image, numClasses, labelEmbeddingDim, latentDim, kernelSize, List.of(1, 1),
        discriminatorChannels, leakyReluSlope, dropoutRate, d.batchNormMomentum(), d.batchNormEpsilon(), optimizer,
        optimizer, GanLoss.NON_SATURATING.id(), 0.0, 1, GanGenerator.DCGAN.id(), d.style());
  }
}
