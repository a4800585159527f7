package io.sparkgen.jobs.train;

import io.sparkgen.jobs.config.Check;
import io.sparkgen.jobs.config.Doc;
import java.util.Map;

/** Configuration of {@code sparkgen train}. Units are in the names. */
public record TrainJobConfig(
    @Doc("Shard set to train on (the output of sparkgen shard): a Hadoop URI or local path.") String data,
    @Doc("Run directory (Hadoop URI or local path): config, stats, checkpoints, sample grids.") String runDir,
    @Doc("The generator.") Model model,
    @Doc("Images per local step on each worker.") int batchSize,
    @Doc("Training length, in images seen by all workers together.") long totalImages,
    @Doc("Local steps each worker takes between two averagings (DL4J's averagingFrequency).") int averagingFrequency,
    @Doc("Half-life of the EMA of the weights that samplers use, in images (edm's ema_halflife_kimg x 1000).")
        double emaHalfLifeImages,
    @Doc("Write a checkpoint and a sample grid every this many rounds (and after the last).") int checkpointEveryRounds,
    @Doc("Images in each sample grid.") int sampleGridImages,
    @Doc("Continue from the newest complete checkpoint in run-dir.") boolean resume) {

  public TrainJobConfig {
    Check.that(!data.isBlank(), "data", data, "must name a shard set");
    Check.that(!runDir.isBlank(), "run-dir", runDir, "must name the run directory");
    Check.that(batchSize > 0, "batch-size", batchSize, "must be > 0");
    Check.that(totalImages > 0, "total-images", totalImages, "must be > 0");
    Check.that(averagingFrequency > 0, "averaging-frequency", averagingFrequency, "must be > 0");
    Check.that(emaHalfLifeImages >= 0, "ema-half-life-images", emaHalfLifeImages, "must be >= 0");
    Check.that(checkpointEveryRounds > 0, "checkpoint-every-rounds", checkpointEveryRounds, "must be > 0");
    Check.that(sampleGridImages > 0, "sample-grid-images", sampleGridImages, "must be > 0");
  }

  public static TrainJobConfig defaults() {
    return new TrainJobConfig("data/fashion-mnist", "runs/fashion-mnist", Model.defaults(), 64, 600_000L, 16, 10_000.0,
        10, 64, false);
  }

  /** Which family, and what of its config differs from the family's defaults. */
  public record Model(
      @Doc("Generator family: vae, gan, flow, diffusion, or a hybrid: vaegan, latent-diffusion (the ids of model-lib's Families).") String family,
      @Doc("Condition on the dataset's labels (label embedding); the class count comes from the data.")
          boolean conditional,
      @Doc("Overrides of the family's own config, e.g. { latent-dim = 32 }; image shape comes from the data.")
          Map<String, Object> config) {

    public Model {
      Check.that(!family.isBlank(), "family", family, "must name a generator family");
      config = Map.copyOf(config);
    }

    static Model defaults() {
      return new Model("vae", false, Map.of());
    }
  }
}
