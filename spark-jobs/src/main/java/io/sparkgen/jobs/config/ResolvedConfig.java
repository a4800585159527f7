package io.sparkgen.jobs.config;

import io.sparkgen.model.provenance.Hashes;

/** A resolved configuration with its canonical hash (the provenance "config hash"). */
public record ResolvedConfig(SparkgenConfig config, String hash) {

  public static ResolvedConfig of(SparkgenConfig config) {
    return new ResolvedConfig(config, Hashes.canonicalHash(ConfigBinder.toTree(config)));
  }

  /** HOCON text of the whole config, with each field's description as a comment. */
  public String render() {
    return ConfigRenderer.render(config, true);
  }
}
