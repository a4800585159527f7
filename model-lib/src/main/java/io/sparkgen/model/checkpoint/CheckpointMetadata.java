package io.sparkgen.model.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgen.model.provenance.Provenance;
import io.sparkgen.model.train.TrainConfig;
import java.util.Map;

/**
 * The JSON half of a checkpoint. The RNG state is (train.seed, round, partition, step): every
 * random draw of the next step is derived from it (see {@code LocalTrainer}).
 *
 * @param formatVersion {@link Checkpoint#FORMAT_VERSION} of the writer
 * @param family the family id
 * @param architecture {@code GenerativeModel#architectureFingerprint()}
 * @param config the family's resolved config
 * @param train the trainer's config, master seed included
 * @param round round of the distributed run (0 when local)
 * @param partition partition within the round (0 when local)
 * @param step steps completed
 * @param arraySha256 SHA-256 of each array's .npy bytes, by array name
 * @param provenance config hash (family, config and train), data manifest hash, versions, seed
 */
public record CheckpointMetadata(
    int formatVersion,
    String family,
    String architecture,
    JsonNode config,
    TrainConfig train,
    long round,
    long partition,
    long step,
    Map<String, String> arraySha256,
    Provenance provenance) {}
