package io.sparkgen.model.provenance;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where an artifact came from (shard manifest, checkpoint, metric row, report). A hash that does
 * not apply to an artifact is the empty string, never null.
 *
 * @param configHash SHA-256 of the resolved config, canonical JSON
 * @param dataManifestHash SHA-256 of the data manifest the artifact was made from
 * @param featureExtractorHash SHA-256 of the feature extractor's weights (metrics only)
 * @param seed the master seed
 * @param versions {@link Versions#all()} at creation
 * @param createdAt UTC instant, ISO-8601
 * @param inputs the trained artifacts this one was built on (a latent diffusion model's
 *     autoencoder checkpoint), name to "location sha256:hex"; empty for most, and then not written
 */
public record Provenance(
    String configHash,
    String dataManifestHash,
    String featureExtractorHash,
    long seed,
    Map<String, String> versions,
    String createdAt,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> inputs) {

  @JsonCreator
  public Provenance {
    Objects.requireNonNull(configHash, "configHash");
    Objects.requireNonNull(dataManifestHash, "dataManifestHash");
    Objects.requireNonNull(featureExtractorHash, "featureExtractorHash");
    versions = Collections.unmodifiableMap(new TreeMap<>(versions));
    Objects.requireNonNull(createdAt, "createdAt");
    inputs = inputs == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(inputs));
  }

  /** Provenance without inputs. */
  public Provenance(String configHash, String dataManifestHash, String featureExtractorHash, long seed,
      Map<String, String> versions, String createdAt) {
    this(configHash, dataManifestHash, featureExtractorHash, seed, versions, createdAt, Map.of());
  }

  /** This provenance naming {@code inputs}. */
  public Provenance withInputs(Map<String, String> newInputs) {
    return new Provenance(configHash, dataManifestHash, featureExtractorHash, seed, versions, createdAt, newInputs);
  }

  /** Provenance stamped now with the running versions. */
  public static Provenance of(
      String configHash, String dataManifestHash, String featureExtractorHash, long seed) {
    return new Provenance(
        configHash, dataManifestHash, featureExtractorHash, seed, Versions.all(), Instant.now().toString());
  }
}
