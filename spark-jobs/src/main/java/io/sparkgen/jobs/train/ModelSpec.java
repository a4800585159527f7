package io.sparkgen.jobs.train;

import io.sparkgen.model.Families;
import io.sparkgen.model.Family;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.train.TrainConfig;
import java.io.Serializable;

/**
 * What every executor needs to build the same model: the family, its config as JSON (what differs
 * from the family's defaults), and the trainer's settings. Shipped in closures, so it holds only
 * strings and numbers; every JVM builds an identical model from it.
 */
public record ModelSpec(String family, String configJson, long seed, int batchSize, long totalImages,
    double emaHalfLifeImages) implements Serializable {

  public ModelSpec {
    config(family, configJson); // fail on the driver, with the family's own message, not on executors
    new TrainConfig(seed, batchSize, totalImages, emaHalfLifeImages);
  }

  public TrainConfig trainConfig() {
    return new TrainConfig(seed, batchSize, totalImages, emaHalfLifeImages);
  }

  public ModelConfig modelConfig() {
    return config(family, configJson);
  }

  /** A freshly initialised model: parameters drawn from the master seed, the same in every JVM. */
  public GenerativeModel build() {
    return Families.byId(family).createFrom(modelConfig(), seed);
  }

  private static ModelConfig config(String family, String json) {
    Family<?> f = Families.byId(family);
    try {
      return f.readConfig(Configs.MAPPER.readTree(json));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("model config of " + family + " is not JSON: " + e.getOriginalMessage(), e);
    }
  }
}
