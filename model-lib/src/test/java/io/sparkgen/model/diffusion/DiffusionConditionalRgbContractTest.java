package io.sparkgen.model.diffusion;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import java.util.List;

/** The diffusion contract for a class-conditional RGB model. */
class DiffusionConditionalRgbContractTest extends DiffusionContractTest {
  @Override
  protected ModelConfig tinyConfig() {
    return DiffusionContractTest.tiny(new ImageShape(3, 8, 8), 3, List.of(8, 16));
  }

  @Override
  protected ModelConfig otherArchitecture() {
    return DiffusionContractTest.tiny(new ImageShape(3, 8, 8), 4, List.of(8, 16));
  }
}
