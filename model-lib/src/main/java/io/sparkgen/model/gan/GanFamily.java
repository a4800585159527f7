package io.sparkgen.model.gan;

import io.sparkgen.model.Family;
import io.sparkgen.model.GenerativeModel;
import org.nd4j.linalg.api.buffer.DataType;

/** Generative adversarial networks (Goodfellow et al. 2014); default: TensorFlow's DCGAN tutorial. */
public final class GanFamily implements Family<GanConfig> {

  public static final String ID = "gan";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Class<GanConfig> configType() {
    return GanConfig.class;
  }

  @Override
  public GanConfig defaultConfig() {
    return GanConfig.defaults();
  }

  @Override
  public GenerativeModel create(GanConfig config, long seed) {
    Dcgan architecture = new Dcgan(config);
    GanNetwork net = new GanNetwork(architecture, config.image().batchShape(-1), seed, DataType.FLOAT);
    return new GenerativeModel(
        ID, config, net,
        new GanObjective(net, config.generatorOptimizer(), config.discriminatorOptimizer()),
        new GanSampler(architecture, net.buffers(), DataType.FLOAT));
  }
}
