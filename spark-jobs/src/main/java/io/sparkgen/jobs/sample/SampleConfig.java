package io.sparkgen.jobs.sample;

import io.sparkgen.jobs.config.Check;
import io.sparkgen.jobs.config.Doc;
import java.util.Map;

/** Configuration of {@code sparkgen sample}. */
public record SampleConfig(
    @Doc("Run directory whose checkpoints to sample from (Hadoop URI or local path).") String run,
    @Doc("Which checkpoint: latest, a step number, or the path of a checkpoint file (then run may be empty).")
        String checkpoint,
    @Doc("Weights to sample with: ema (the EMA of the weights, as edm and stylegan3 sample) or live.") Weights weights,
    @Doc("Number of images.") long count,
    @Doc("Sampling seed; image i is drawn from (seed, i) alone. -1: the master seed.") long seed,
    @Doc("Class of every image for a conditional model; -1 cycles through the classes (image i gets i mod K).")
        int classLabel,
    @Doc("Output: png (one file per image), npy (one uint8 [N, H, W, C] array) or grid (one PNG).") Format format,
    @Doc("Output directory, committed atomically (Hadoop URI or local path).") String output,
    @Doc("Sampler options, e.g. { sampler = ddim, steps = 50 } for diffusion or { temperature = 0.7 } for the flow.")
        Map<String, String> options,
    @Doc("Images per sampler call on an executor.") int batchSize,
    @Doc("Spark partitions (tasks); 0: enough for progress reports and every core.") int partitions,
    @Doc("Replace an existing output directory (atomically).") boolean overwrite) {

  public SampleConfig {
    Check.that(!checkpoint.isBlank(), "checkpoint", checkpoint, "must be latest, a step or a file");
    Check.that(count > 0, "count", count, "must be > 0");
    Check.that(seed >= -1, "seed", seed, "must be >= 0, or -1 for the master seed");
    Check.that(classLabel >= -1, "class-label", classLabel, "must be a class index, or -1 to cycle through them");
    Check.that(!output.isBlank(), "output", output, "must name the output directory");
    Check.that(batchSize > 0, "batch-size", batchSize, "must be > 0");
    Check.that(partitions >= 0, "partitions", partitions, "must be >= 0");
    options = Map.copyOf(options);
  }

  public static SampleConfig defaults() {
    return new SampleConfig("runs/fashion-mnist", "latest", Weights.EMA, 64, -1, -1, Format.GRID, "samples/fashion-mnist",
        Map.of(), 64, 0, false);
  }

  /** Which weights of a checkpoint a sampler is given. */
  public enum Weights { EMA, LIVE }

  /** How the images are written. */
  public enum Format { PNG, NPY, GRID }
}
