package io.sparkgen.model.gan;

import io.sparkgen.model.Family;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.contract.FamilyContract;
import io.sparkgen.model.optim.AdamConfig;
import java.util.List;

class GanContractTest extends FamilyContract {

  static GanConfig tiny(ImageShape image, int classes, int noise) {
    return new GanConfig(
        image, classes, 4, noise, 3, List.of(8, 4, 4), List.of(4, 8), 0.3, 0.3, 0.99, 1e-3,
        AdamConfig.of(1e-3, 0.5), AdamConfig.of(1e-2, 0.5), "non-saturating", 0.0, 1, "dcgan", StyleConfig.defaults());
  }

  @Override
  protected Family<?> family() {
    return new GanFamily();
  }

  @Override
  protected ModelConfig tinyConfig() {
    return tiny(new ImageShape(1, 8, 8), 0, 4);
  }

  @Override
  protected ModelConfig otherArchitecture() {
    return tiny(new ImageShape(1, 8, 8), 0, 5);
  }

  /**
   * On a handful of images the discriminator, stepping 10x faster than G (two time-scale rule,
   * Heusel et al. 2017), memorises the real images: its loss must fall.
   */
  @Override
  protected String overfitMetric() {
    return "d_loss";
  }

  /**
   * TensorFlow DCGAN tutorial: G 2,305,472 trainable (Dense 1,254,400; BN 25,088; ConvT 819,200;
   * BN 256; ConvT 204,800; BN 128; ConvT 1,600), D 212,865 (1,664 + 204,928 + 6,273).
   */
  @Override
  protected long expectedDefaultParameterCount() {
    return 2_305_472L + 212_865L;
  }
}
