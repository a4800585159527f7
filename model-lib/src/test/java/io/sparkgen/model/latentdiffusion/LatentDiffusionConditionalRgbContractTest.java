package io.sparkgen.model.latentdiffusion;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;

/** The contract for a class-conditional model on RGB 32x32, over a conditional tiny VAE. */
class LatentDiffusionConditionalRgbContractTest extends LatentDiffusionContractTest {

  @Override
  protected TinyAutoencoder autoencoder() {
    return TinyAutoencoder.of(new ImageShape(3, 32, 32), 3);
  }

  @Override
  protected ModelConfig tinyConfig() {
    return tiny(autoencoder(), 3, 16);
  }

  @Override
  protected ModelConfig otherArchitecture() {
    return tiny(autoencoder(), 3, 8);
  }
}
