package io.sparkgen.bench.dl4j;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.config.Check;
import io.sparkgen.model.gan.GanConfig;
import io.sparkgen.model.optim.AdamConfig;
import java.util.List;

/**
 * The DCGAN discriminator ({@code gan/Dcgan}) as a {@code numClasses}-way classifier: [Conv k s2
 * 'same' -> LeakyReLU -> Dropout]* -> Dense numClasses -> softmax cross-entropy. The shared model of the
 * DL4J baseline: expressible as a DL4J MultiLayerNetwork and as a sparkgen family.
 *
 * @param image input shape
 * @param numClasses output classes (the labels every batch must carry)
 * @param kernelSize kernel of every convolution
 * @param channels output channels of each stride-2 convolution
 * @param leakyReluSlope negative slope after each convolution
 * @param dropoutRate dropout after each LeakyReLU
 * @param optimizer Adam
 */
public record ClassifierConfig(ImageShape image, int numClasses, int kernelSize, List<Integer> channels,
    double leakyReluSlope, double dropoutRate, AdamConfig optimizer) implements ModelConfig {

  public ClassifierConfig {
    Check.notNull("image", image);
    if (numClasses < 2) {
      throw new IllegalArgumentException("numClasses must be >= 2 for a classifier, got " + numClasses);
    }
    Check.positive("kernelSize", kernelSize);
    channels = List.copyOf(Check.notNull("channels", channels));
    if (channels.isEmpty()) {
      throw new IllegalArgumentException("channels must name at least one convolution");
    }
    channels.forEach(c -> Check.positive("channels[]", c));
    Check.nonNegative("leakyReluSlope", leakyReluSlope);
    Check.inRange("dropoutRate", dropoutRate, 0.0, 1.0);
    if (dropoutRate >= 1.0) {
      throw new IllegalArgumentException("dropoutRate must be < 1, got " + dropoutRate);
    }
    Check.notNull("optimizer", optimizer);
  }

  /** The default DCGAN's discriminator and its optimizer, on 10 Fashion-MNIST classes. */
  public static ClassifierConfig defaults() {
    GanConfig gan = GanConfig.defaults();
    return new ClassifierConfig(gan.image(), 10, gan.kernelSize(), gan.discriminatorChannels(), gan.leakyReluSlope(),
        gan.dropoutRate(), gan.discriminatorOptimizer());
  }

  /** Height and width after convolution {@code layer} (0-based): 'same' padding, stride 2. */
  public long[] spatialAfter(int layer) {
    long h = image.height();
    long w = image.width();
    for (int i = 0; i <= layer; i++) {
      h = (h + 1) / 2;
      w = (w + 1) / 2;
    }
    return new long[] {h, w};
  }

  /** Inputs of the Dense layer: channels x height x width after the last convolution. */
  public long denseInputs() {
    long[] hw = spatialAfter(channels.size() - 1);
    return channels.get(channels.size() - 1) * hw[0] * hw[1];
  }
}
