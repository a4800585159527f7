package io.sparkgen.model.gan;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgen.model.Family;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.Objective;
import io.sparkgen.model.config.Configs;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Generative adversarial networks (Goodfellow et al. 2014); default: TensorFlow's DCGAN tutorial,
 * or with {@code loss = wgan-gp} the same networks as a WGAN-GP (Gulrajani et al. 2017); with
 * {@code generator = style} a StyleGAN2-style generator ({@link StyleGan}) against the same discriminator.
 */
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

  /**
   * Overrides merged over the defaults of the loss they name: {@code {"loss": "wgan-gp"}} alone gives
   * {@link GanConfig#wganGpDefaults()} (the paper's lambda, n_critic and Adam), anything else the DCGAN's.
   */
  @Override
  public GanConfig readConfig(JsonNode overrides) {
    JsonNode loss = overrides.path("loss");
    GanConfig defaults =
        GanLoss.WGAN_GP.id().equals(loss.asText(null)) ? GanConfig.wganGpDefaults() : defaultConfig();
    return Configs.read(overrides, configType(), defaults);
  }

  @Override
  public GenerativeModel create(GanConfig config, long seed) {
    GanArchitecture architecture =
        switch (config.generatorKind()) {
          case DCGAN -> new Dcgan(config);
          case STYLE -> new StyleGan(config);
        };
    GanNetwork net =
        new GanNetwork(architecture, config.image().batchShape(-1), seed, DataType.FLOAT, config.lossKind(), config.gpWeight(),
            config.criticSteps());
    Objective objective =
        switch (config.lossKind()) {
          case NON_SATURATING -> new GanObjective(net, config.generatorOptimizer(), config.discriminatorOptimizer());
          case WGAN_GP ->
              new WganGpObjective(net, config.generatorOptimizer(), config.discriminatorOptimizer(), config.criticSteps());
        };
    return new GenerativeModel(ID, config, net, objective, new GanSampler(architecture, net.buffers(), DataType.FLOAT));
  }
}
