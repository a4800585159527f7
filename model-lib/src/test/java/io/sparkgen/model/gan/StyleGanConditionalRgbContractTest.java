package io.sparkgen.model.gan;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import java.util.List;

/** The GAN contract with the style generator, class-conditional, RGB 32x32 (constant at 8x8, two upsamplings). */
class StyleGanConditionalRgbContractTest extends StyleGanContractTest {
  @Override
  protected ModelConfig tinyConfig() {
    return tinyStyle(new ImageShape(3, 32, 32), 3, List.of(8, 4, 4), "non-saturating");
  }

  @Override
  protected ModelConfig otherArchitecture() {
    return tinyStyle(new ImageShape(3, 32, 32), 4, List.of(8, 4, 4), "non-saturating");
  }
}
