package io.sparkgen.model.vae;

import io.sparkgen.model.Family;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.contract.FamilyContract;
import io.sparkgen.model.optim.AdamConfig;
import java.util.List;

class VaeContractTest extends FamilyContract {

  static VaeConfig tiny(ImageShape image, int classes, int latent) {
    return new VaeConfig(image, classes, 4, latent, 3, List.of(4, 4), 4, List.of(4, 4), AdamConfig.of(2e-2, 0.9));
  }

  @Override
  protected Family<?> family() {
    return new VaeFamily();
  }

  @Override
  protected ModelConfig tinyConfig() {
    return tiny(new ImageShape(1, 8, 8), 0, 2);
  }

  @Override
  protected ModelConfig otherArchitecture() {
    return tiny(new ImageShape(1, 8, 8), 0, 3);
  }

  @Override
  protected String overfitMetric() {
    return "loss";
  }

  @Override
  protected int overfitSteps() {
    return 60;
  }

  /** Measured: about 20% below 1 bit per pixel after 60 steps; demand half of that. */
  @Override
  protected double minimumOverfitDrop() {
    return 0.1;
  }

  /** TensorFlow CVAE tutorial, latent 16: encoder 320 + 18,496 + 73,760; decoder 26,656 + 18,496 + 18,464 + 289. */
  @Override
  protected long expectedDefaultParameterCount() {
    return 156_481L;
  }
}
