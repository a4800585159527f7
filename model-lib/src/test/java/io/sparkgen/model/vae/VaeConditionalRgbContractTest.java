package io.sparkgen.model.vae;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;

/** The VAE contract for a class-conditional RGB model. */
class VaeConditionalRgbContractTest extends VaeContractTest {
  @Override
  protected ModelConfig tinyConfig() {
    return VaeContractTest.tiny(new ImageShape(3, 8, 8), 3, 2);
  }

  @Override
  protected ModelConfig otherArchitecture() {
    return VaeContractTest.tiny(new ImageShape(3, 8, 8), 4, 2);
  }
}
