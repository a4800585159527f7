package io.sparkgen.model.vaegan;

import io.sparkgen.model.Family;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.vae.VaeLikelihood;
import io.sparkgen.model.vae.VaeNetwork;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * VAE-GAN (Larsen, Sønderby, Larochelle &amp; Winther 2016, "Autoencoding beyond pixels using a
 * learned similarity metric"): the vae family's encoder and decoder trained against the gan
 * family's DCGAN discriminator, whose l-th layer replaces the pixel likelihood. Its likelihood is the
 * VAE's ELBO of the same encoder and decoder, read as a Bernoulli model.
 */
public final class VaeGanFamily implements Family<VaeGanConfig> {

  public static final String ID = "vaegan";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Class<VaeGanConfig> configType() {
    return VaeGanConfig.class;
  }

  @Override
  public VaeGanConfig defaultConfig() {
    return VaeGanConfig.defaults();
  }

  @Override
  public GenerativeModel create(VaeGanConfig config, long seed) {
    VaeGanNetwork net = new VaeGanNetwork(config, seed, DataType.FLOAT);
    return new GenerativeModel(ID, config, net, new VaeGanObjective(net), new VaeGanSampler(config, DataType.FLOAT),
        new VaeLikelihood(new VaeNetwork(config.vae(), 0L, DataType.FLOAT)));
  }
}
