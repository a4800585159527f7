package io.sparkgen.model;

/**
 * One generator family: its name, its typed config with defaults in code, and how a model is
 * built from a config and a master seed. The trainer and the jobs see only this interface.
 */
public interface Family<C extends ModelConfig> {

  /** Stable name used in checkpoints and on the command line, e.g. {@code vae}. */
  String id();

  Class<C> configType();

  /** The published reference architecture on 28x28x1 images. */
  C defaultConfig();

  /** A freshly initialised model; every parameter is drawn from {@code Seeds.forParameter(seed, name)}. */
  GenerativeModel create(C config, long seed);

  /** A config from JSON naming only what differs from {@link #defaultConfig()}; unknown keys are errors. */
  default C readConfig(com.fasterxml.jackson.databind.JsonNode overrides) {
    return io.sparkgen.model.config.Configs.read(overrides, configType(), defaultConfig());
  }

  /** {@link #create} for a config whose type was checked at run time. */
  default GenerativeModel createFrom(ModelConfig config, long seed) {
    if (!configType().isInstance(config)) {
      throw new IllegalArgumentException(
          id() + " needs a " + configType().getSimpleName() + ", got " + config.getClass().getSimpleName());
    }
    return create(configType().cast(config), seed);
  }
}
