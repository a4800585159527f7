package io.sparkgen.model.gan;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import java.util.List;

/** The GAN contract for loss wgan-gp: n_critic = 2 critic iterations on the contract's batches of 4. */
class WganGpContractTest extends GanContractTest {

  @Override
  protected ModelConfig tinyConfig() {
    return WganGpTest.tiny(new ImageShape(1, 8, 8), 0, List.of(8, 4, 4), List.of(4, 8), 3, 0.0, 2);
  }

  @Override
  protected ModelConfig otherArchitecture() {
    return WganGpTest.tiny(new ImageShape(1, 8, 8), 0, List.of(8, 4, 8), List.of(4, 8), 3, 0.0, 2);
  }

  /** The critic's loss E[D(x_fake)] - E[D(x)] + lambda GP falls as it learns to tell the handful of images from G's. */
  @Override
  protected String overfitMetric() {
    return "d_loss";
  }
}
