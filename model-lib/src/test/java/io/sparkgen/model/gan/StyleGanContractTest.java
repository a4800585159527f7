package io.sparkgen.model.gan;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.optim.AdamConfig;
import java.util.List;

/** The GAN contract with the style generator (the default-config check stays the DCGAN's, the family's default). */
class StyleGanContractTest extends GanContractTest {

  /** Mapping 2 x 8, w 8; the learned constant at image / 2^(channels - 1). */
  static GanConfig tinyStyle(ImageShape image, int classes, List<Integer> channels, String loss) {
    boolean wgan = GanLoss.of(loss) == GanLoss.WGAN_GP;
    return new GanConfig(
        image, classes, 4, 4, 3, List.of(8, 4, 4), List.of(4, 8), 0.3, wgan ? 0.0 : 0.3, 0.99, 1e-3,
        AdamConfig.of(1e-3, 0.5), AdamConfig.of(1e-2, 0.5), loss, wgan ? 10.0 : 0.0, wgan ? 2 : 1, "style",
        new StyleConfig(2, 8, 0.01, 0.9, 0.995, channels));
  }

  @Override
  protected ModelConfig tinyConfig() {
    return tinyStyle(new ImageShape(1, 8, 8), 0, List.of(8, 4), "non-saturating");
  }

  @Override
  protected ModelConfig otherArchitecture() {
    return tinyStyle(new ImageShape(1, 8, 8), 0, List.of(8, 8), "non-saturating");
  }
}
