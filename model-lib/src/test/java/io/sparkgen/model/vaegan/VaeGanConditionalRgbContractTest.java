package io.sparkgen.model.vaegan;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;

/** The VAE-GAN contract for a class-conditional RGB model. */
class VaeGanConditionalRgbContractTest extends VaeGanContractTest {
  @Override
  protected ModelConfig tinyConfig() {
    return VaeGanContractTest.tiny(new ImageShape(3, 8, 8), 3, 2);
  }

  @Override
  protected ModelConfig otherArchitecture() {
    return VaeGanContractTest.tiny(new ImageShape(3, 8, 8), 4, 2);
  }
}
