package io.sparkgen.model.gan;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.config.Check;
import io.sparkgen.model.optim.AdamConfig;
import java.util.List;

/**
 * The DCGAN of TensorFlow's DCGAN tutorial (Radford, Metz &amp; Chintala 2016), sizes configurable.
 *
 * @param image image shape; height and width divisible by 2^(generatorChannels.size() - 1)
 * @param numClasses label classes for conditioning, 0 for none
 * @param labelEmbeddingDim label embedding size (G: concatenated to z; D: projected to an extra input channel)
 * @param noiseDim dimension of z
 * @param kernelSize kernel of every (transposed) convolution
 * @param generatorChannels Dense output channels, then one transposed convolution per further entry
 *     (the first stride 1, the rest stride 2), then a stride-2 one to the image channels, tanh
 * @param discriminatorChannels one stride-2 convolution + LeakyReLU + dropout per entry, then Dense 1
 * @param leakyReluSlope Keras' LeakyReLU default, 0.3
 * @param dropoutRate the discriminator's dropout
 * @param batchNormMomentum Keras' BatchNormalization momentum for the running statistics
 * @param batchNormEpsilon Keras' BatchNormalization epsilon
 * @param generatorOptimizer Adam of G
 * @param discriminatorOptimizer Adam of D (the critic's, for wgan-gp)
 * @param loss {@code non-saturating} (the tutorial's) or {@code wgan-gp} (Gulrajani et al. 2017); see {@link GanLoss}
 * @param gpWeight lambda of the gradient penalty; wgan-gp only (the paper's 10), 0 for non-saturating
 * @param criticSteps n_critic, critic updates per generator update; wgan-gp only (the paper's 5), 1 for
 *     non-saturating, whose step is simultaneous
 * @param generator {@code dcgan} (the tutorial's, default) or {@code style}; see {@link GanGenerator}
 * @param style the style generator's settings; {@code generator = style} only (generatorChannels,
 *     kernelSize, leakyReluSlope and the batch-norm settings are then the discriminator's or unused)
 */
public record GanConfig(
    ImageShape image,
    int numClasses,
    int labelEmbeddingDim,
    int noiseDim,
    int kernelSize,
    List<Integer> generatorChannels,
    List<Integer> discriminatorChannels,
    double leakyReluSlope,
    double dropoutRate,
    double batchNormMomentum,
    double batchNormEpsilon,
    AdamConfig generatorOptimizer,
    AdamConfig discriminatorOptimizer,
    String loss,
    double gpWeight,
    int criticSteps,
    String generator,
    StyleConfig style)
    implements ModelConfig {

  public GanConfig {
    Check.notNull("image", image);
    Check.nonNegative("numClasses", numClasses);
    Check.positive("labelEmbeddingDim", labelEmbeddingDim);
    Check.positive("noiseDim", noiseDim);
    Check.positive("kernelSize", kernelSize);
    generatorChannels = List.copyOf(Check.notNull("generatorChannels", generatorChannels));
    discriminatorChannels = List.copyOf(Check.notNull("discriminatorChannels", discriminatorChannels));
    if (generatorChannels.size() < 2) {
      throw new IllegalArgumentException("generatorChannels needs at least 2 entries, got " + generatorChannels);
    }
    if (discriminatorChannels.isEmpty()) {
      throw new IllegalArgumentException("discriminatorChannels must not be empty");
    }
    generatorChannels.forEach(c -> Check.positive("generatorChannels[]", c));
    discriminatorChannels.forEach(c -> Check.positive("discriminatorChannels[]", c));
    Check.nonNegative("leakyReluSlope", leakyReluSlope);
    Check.inRange("dropoutRate", dropoutRate, 0.0, 1.0);
    Check.inRange("batchNormMomentum", batchNormMomentum, 0.0, 1.0);
    Check.positive("batchNormEpsilon", batchNormEpsilon);
    Check.notNull("generatorOptimizer", generatorOptimizer);
    Check.notNull("discriminatorOptimizer", discriminatorOptimizer);
    Check.notNull("loss", loss);
    Check.positive("criticSteps", criticSteps);
    if (GanLoss.of(loss) == GanLoss.WGAN_GP) {
      Check.positive("gpWeight", gpWeight);
    } else {
      if (gpWeight != 0) {
        throw new IllegalArgumentException("gpWeight applies to loss wgan-gp only; it must be 0 for loss " + loss + ", got " + gpWeight);
      }
      if (criticSteps != 1) {
        throw new IllegalArgumentException(
            "criticSteps applies to loss wgan-gp only; it must be 1 for loss " + loss + " (one simultaneous step), got " + criticSteps);
      }
    }
    Check.notNull("style", style);
    boolean styleGenerator = GanGenerator.of(Check.notNull("generator", generator)) == GanGenerator.STYLE;
    int factor = 1 << ((styleGenerator ? style.channels() : generatorChannels).size() - 1);
    if (image.height() % factor != 0 || image.width() % factor != 0) {
      throw new IllegalArgumentException(
          "image " + image.height() + "x" + image.width() + " must be divisible by " + factor);
    }
  }

  /** The tutorial's model on 28x28x1 with the optimizer: Adam 2e-4, beta1 0.5. */
  public static GanConfig defaults() {
    return new GanConfig(
        ImageShape.fashionMnist(), 0, 50, 100, 5, List.of(256, 128, 64), List.of(64, 128),
        0.3, 0.3, 0.99, 1e-3, AdamConfig.of(2e-4, 0.5), AdamConfig.of(2e-4, 0.5),
        GanLoss.NON_SATURATING.id(), 0.0, 1, GanGenerator.DCGAN.id(), StyleConfig.defaults());
  }

  /**
   * The same networks trained as WGAN-GP with the paper's hyper-parameters (Gulrajani et al. 2017,
   * Alg. 1): lambda = 10, n_critic = 5, Adam alpha = 1e-4, beta1 = 0, beta2 = 0.9 for both players
   * (epsilon 1e-8, TensorFlow 1's default, which the authors' code used). The critic has no
   * dropout, as the paper's critics (and no batch norm, which the penalty forbids; DCGAN's D has none).
   */
  public static GanConfig wganGpDefaults() {
    GanConfig d = defaults();
    AdamConfig adam = new AdamConfig(1e-4, 0.0, 0.9, 1e-8);
    return new GanConfig(
        d.image(), d.numClasses(), d.labelEmbeddingDim(), d.noiseDim(), d.kernelSize(), d.generatorChannels(),
        d.discriminatorChannels(), d.leakyReluSlope(), 0.0, d.batchNormMomentum(), d.batchNormEpsilon(), adam, adam,
        GanLoss.WGAN_GP.id(), 10.0, 5, d.generator(), d.style());
  }

  /** {@link #loss} parsed. */
  public GanLoss lossKind() {
    return GanLoss.of(loss);
  }

  /** {@link #generator} parsed. */
  public GanGenerator generatorKind() {
    return GanGenerator.of(generator);
  }

  boolean conditional() {
    return numClasses > 0;
  }
}
