package io.sparkgen.model.gan;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;

/** The GAN contract for a class-conditional RGB model. */
class GanConditionalRgbContractTest extends GanContractTest {
  @Override
  protected ModelConfig tinyConfig() {
    return GanContractTest.tiny(new ImageShape(3, 8, 8), 3, 4);
  }

  @Override
  protected ModelConfig otherArchitecture() {
    return GanContractTest.tiny(new ImageShape(3, 8, 8), 4, 4);
  }
}
