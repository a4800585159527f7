package io.sparkgen.bench.dl4j;

import io.sparkgen.model.Family;
import io.sparkgen.model.GenerativeModel;

/**
 * The DL4J baseline's shared model as a sparkgen family, so that sparkgen's own ParameterAveraging
 * and LocalTrainer train it unchanged. Registered through {@code META-INF/services} of this module
 * only; it generates nothing, so its sampler refuses.
 */
public final class ClassifierFamily implements Family<ClassifierConfig> {

  public static final String ID = "dcgan-classifier";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Class<ClassifierConfig> configType() {
    return ClassifierConfig.class;
  }

  @Override
  public ClassifierConfig defaultConfig() {
    return ClassifierConfig.defaults();
  }

  @Override
  public GenerativeModel create(ClassifierConfig config, long seed) {
    ClassifierNetwork net = new ClassifierNetwork(config, seed);
    return new GenerativeModel(ID, config, net, new ClassifierObjective(net), (weights, request) -> {
      throw new UnsupportedOperationException(ID + " is a classifier for the DL4J baseline benchmark; it samples nothing");
    });
  }
}
