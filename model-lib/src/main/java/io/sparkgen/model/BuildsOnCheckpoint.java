package io.sparkgen.model;

import io.sparkgen.model.train.ImageDataset;
import java.util.Map;

/**
 * A family whose model is built on another trained model (latent diffusion on its frozen
 * autoencoder). Its config names that model's checkpoint; whoever creates the first model (the
 * train job's driver, a test) reads the checkpoint from wherever it lies and hands over its bytes.
 * The family keeps what it needs of them in buffers, so that its own checkpoints are
 * self-contained and every other copy of the model (an executor's, {@code Checkpoint#model()}) is
 * built by {@link Family#createFrom} from the completed config and restored: only the first
 * creation reads the file.
 */
public interface BuildsOnCheckpoint {

  /**
   * The checkpoint {@code config} names, as the user wrote it: a checkpoint file, or a run
   * directory meaning its newest checkpoint; blank when none is named.
   */
  String inputCheckpoint(ModelConfig config);

  /**
   * The initial model on the given checkpoint. Its {@code config()} is {@code config} completed
   * from the checkpoint (the resolved {@code location}, the file's SHA-256 and whatever of its
   * config the architecture needs), so that {@code createFrom(model.config(), seed)} builds the
   * same arrays anywhere. Buffers that depend on the data are set from {@code data} (a batch of
   * training images). Fails naming the file when it does not fit.
   */
  GenerativeModel createOn(ModelConfig config, long seed, String location, byte[] checkpoint, ImageDataset data);

  /**
   * The checkpoints a completed config was built on, for provenance: input name to "location
   * sha256:hex".
   */
  Map<String, String> inputs(ModelConfig config);
}
