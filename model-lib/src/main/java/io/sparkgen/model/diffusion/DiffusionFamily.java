package io.sparkgen.model.diffusion;

import io.sparkgen.model.Family;
import io.sparkgen.model.GenerativeModel;
import org.nd4j.linalg.api.buffer.DataType;

/** Denoising diffusion (Ho et al. 2020) with DDPM, DDIM and DPM-Solver++(2M) sampling. */
public final class DiffusionFamily implements Family<DiffusionConfig> {

  public static final String ID = "diffusion";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Class<DiffusionConfig> configType() {
    return DiffusionConfig.class;
  }

  @Override
  public DiffusionConfig defaultConfig() {
    return DiffusionConfig.defaults();
  }

  @Override
  public GenerativeModel create(DiffusionConfig config, long seed) {
    DiffusionNetwork net = new DiffusionNetwork(config, seed, DataType.FLOAT);
    return new GenerativeModel(ID, config, net, new DiffusionObjective(net), new DiffusionSampler(config, DataType.FLOAT));
  }
}
