package io.sparkgen.model;

import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.provenance.Hashes;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A built model as the trainer sees it: a family's network, objective and sampler, with the
 * config they were built from. Nothing here depends on which family it is.
 */
public final class GenerativeModel {

  private final String family;
  private final ModelConfig config;
  private final Network network;
  private final Objective objective;
  private final Sampler sampler;
  private final Likelihood likelihood;

  public GenerativeModel(String family, ModelConfig config, Network network, Objective objective, Sampler sampler) {
    this(family, config, network, objective, sampler, null);
  }

  /** A model that can also score real images ({@code likelihood} may be null). */
  public GenerativeModel(String family, ModelConfig config, Network network, Objective objective, Sampler sampler,
      Likelihood likelihood) {
    this.family = Objects.requireNonNull(family, "family");
    this.config = Objects.requireNonNull(config, "config");
    this.network = Objects.requireNonNull(network, "network");
    this.objective = Objects.requireNonNull(objective, "objective");
    this.sampler = Objects.requireNonNull(sampler, "sampler");
    this.likelihood = likelihood;
  }

  public String family() {
    return family;
  }

  public ModelConfig config() {
    return config;
  }

  public Network network() {
    return network;
  }

  public Objective objective() {
    return objective;
  }

  public Sampler sampler() {
    return sampler;
  }

  /** The model's log-likelihood of real images, where its family defines one. */
  public java.util.Optional<Likelihood> likelihood() {
    return java.util.Optional.ofNullable(likelihood);
  }

  /**
   * SHA-256 of the family and the name, shape and data type of every parameter, buffer and
   * optimizer-state array: equal exactly when a checkpoint's arrays fit this model.
   */
  public String architectureFingerprint() {
    Map<String, Object> layout = new TreeMap<>();
    layout.put("family", family);
    layout.put("parameters", describe(network.parameters()));
    layout.put("buffers", describe(network.buffers()));
    layout.put("optimizer", describe(objective.optimizerState()));
    return Hashes.canonicalHash(layout);
  }

  private static Map<String, String> describe(NamedArrays arrays) {
    Map<String, String> d = new TreeMap<>();
    arrays.asMap().forEach((n, a) -> d.put(n, a.dataType() + Arrays.toString(a.shape())));
    return d;
  }
}
