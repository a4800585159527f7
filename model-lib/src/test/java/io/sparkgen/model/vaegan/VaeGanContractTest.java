package io.sparkgen.model.vaegan;

import io.sparkgen.model.Family;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.contract.FamilyContract;
import io.sparkgen.model.optim.AdamConfig;
import java.util.List;

class VaeGanContractTest extends FamilyContract {

  static VaeGanConfig tiny(ImageShape image, int classes, int latent) {
    AdamConfig players = AdamConfig.of(1e-3, 0.5);
    return new VaeGanConfig(
        image, classes, 4, latent, 3, List.of(4, 4), 4, List.of(4, 4), 3, List.of(4, 8), 0.3, 0.3, 2, 1e-2, 0.0,
        players, players, AdamConfig.of(1e-2, 0.5));
  }

  @Override
  protected Family<?> family() {
    return new VaeGanFamily();
  }

  @Override
  protected ModelConfig tinyConfig() {
    return tiny(new ImageShape(1, 8, 8), 0, 2);
  }

  @Override
  protected ModelConfig otherArchitecture() {
    return tiny(new ImageShape(1, 8, 8), 0, 3);
  }

  /**
   * On a handful of images D, stepping 10x faster than encoder and decoder (as GanContractTest),
   * memorises the real images: its loss must fall (measured: about 2.0 to 0.3 in 40 steps). The
   * reconstruction errors are no such measure: Dis_l's scale moves with D, and the pixel error is not
   * trained (p = 0); with p = 1 the step is the VAE's (VaeGanTest), whose contract covers it.
   */
  @Override
  protected String overfitMetric() {
    return "d_loss";
  }

  /**
   * The vae family's default encoder and decoder (156,481, see VaeContractTest) plus the gan
   * family's default discriminator (212,865 = conv 5x5x1x64 + 64 = 1,664; conv 5x5x64x128 + 128 =
   * 204,928; Dense 7*7*128 + 1 = 6,273).
   */
  @Override
  protected long expectedDefaultParameterCount() {
    return 156_481L + 212_865L;
  }
}
