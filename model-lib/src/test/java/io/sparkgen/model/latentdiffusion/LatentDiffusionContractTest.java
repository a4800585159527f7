package io.sparkgen.model.latentdiffusion;

import io.sparkgen.model.Family;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.contract.FamilyContract;
import io.sparkgen.model.optim.AdamConfig;

/** The contract on 8x8x1 over a tiny VAE (latent 4) whose checkpoint the test writes first. */
class LatentDiffusionContractTest extends FamilyContract {

  /** The tiny denoiser on {@code vae}, with the autoencoder fields as createOn completes them but the hash. */
  static LatentDiffusionConfig tiny(TinyAutoencoder vae, int classes, int width) {
    return new LatentDiffusionConfig(vae.config().image(), classes, vae.file().toString(), "", vae.config(), width, 2,
        4, 8, 16, 50, "linear", 1e-3, 0.2, 0.2, "dpm-solver++", 5, 1.0, AdamConfig.of(3e-3, 0.9));
  }

  protected TinyAutoencoder autoencoder() {
    return TinyAutoencoder.of(new ImageShape(1, 8, 8), 0);
  }

  @Override
  protected Family<?> family() {
    return new LatentDiffusionFamily();
  }

  @Override
  protected ModelConfig tinyConfig() {
    return tiny(autoencoder(), 0, 16);
  }

  @Override
  protected ModelConfig otherArchitecture() {
    return tiny(autoencoder(), 0, 8);
  }

  /** The model on the tiny VAE's checkpoint, its latent scale from the contract's images. */
  @Override
  protected GenerativeModel create(long seed) {
    TinyAutoencoder vae = autoencoder();
    return new LatentDiffusionFamily().createOn(tinyConfig(), seed, vae.file().toString(), vae.bytes(), data(6));
  }

  @Override
  protected String overfitMetric() {
    return "loss";
  }

  @Override
  protected int overfitSteps() {
    return 60;
  }

  /**
   * The default denoiser, counted by hand (the VAE's weights are buffers, not parameters): time
   * MLP 64*256+256 + 256*256+256 = 82,432; input 16*256+256 = 4,352; per residual block two
   * GroupNorms 2*512, two dense 2*65,792 and the time projection 256*256+256 = 65,792, so 198,400,
   * three of them 595,200; output GroupNorm 512 and dense 256*16+16 = 4,112.
   */
  @Override
  protected long expectedDefaultParameterCount() {
    return 686_608L;
  }
}
