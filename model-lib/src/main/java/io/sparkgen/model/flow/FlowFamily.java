package io.sparkgen.model.flow;

import io.sparkgen.model.Family;
import io.sparkgen.model.GenerativeModel;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Normalizing flows: Glow (Kingma &amp; Dhariwal 2018) with RealNVP's affine coupling and logit
 * preprocessing (Dinh, Sohl-Dickstein &amp; Bengio 2017); exact log-likelihood in bits per dimension.
 */
public final class FlowFamily implements Family<FlowConfig> {

  public static final String ID = "flow";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Class<FlowConfig> configType() {
    return FlowConfig.class;
  }

  @Override
  public FlowConfig defaultConfig() {
    return FlowConfig.defaults();
  }

  @Override
  public GenerativeModel create(FlowConfig config, long seed) {
    FlowNetwork net = new FlowNetwork(config, seed, DataType.FLOAT);
    return new GenerativeModel(ID, config, net, new FlowObjective(net), new FlowSampler(net), new FlowLikelihood(net));
  }
}
