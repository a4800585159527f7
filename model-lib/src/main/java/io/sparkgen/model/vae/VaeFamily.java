package io.sparkgen.model.vae;

import io.sparkgen.model.Family;
import io.sparkgen.model.GenerativeModel;
import org.nd4j.linalg.api.buffer.DataType;

/** The variational autoencoder family (Kingma &amp; Welling 2014), TensorFlow CVAE architecture. */
public final class VaeFamily implements Family<VaeConfig> {

  public static final String ID = "vae";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Class<VaeConfig> configType() {
    return VaeConfig.class;
  }

  @Override
  public VaeConfig defaultConfig() {
    return VaeConfig.defaults();
  }

  @Override
  public GenerativeModel create(VaeConfig config, long seed) {
    VaeNetwork net = new VaeNetwork(config, seed, DataType.FLOAT);
    return new GenerativeModel(ID, config, net, new VaeObjective(net), new VaeSampler(config, DataType.FLOAT),
        new VaeLikelihood(new VaeNetwork(config, 0L, DataType.FLOAT)));
  }
}
