package io.sparkgen.model.vae;

import io.sparkgen.model.ImageShape;

/** The contract test's tiny VAE config, for tests in other packages. */
public final class VaeContractTestAccess {
  private VaeContractTestAccess() {}

  public static VaeConfig tiny(ImageShape image, int classes, int latent) {
    return VaeContractTest.tiny(image, classes, latent);
  }
}
