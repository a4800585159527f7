package io.sparkgen.jobs.report;

import io.sparkgen.jobs.eval.MetricRow;
import java.util.List;
import java.util.Map;

/**
 * Everything the report shows of one run directory, read once.
 *
 * @param label the name shown (run directory name unless report.labels gives one)
 * @param name the run directory's last path element
 * @param dir the run directory URI
 * @param family generator family (train.model.family of its config.conf)
 * @param configHash SHA-256 of the run's config.conf as written
 * @param stats stats.csv
 * @param metrics rows of its metrics table
 * @param checkpoints provenance of each checkpoint, oldest first
 * @param grids sample grids by step, oldest first (a chosen subset)
 * @param gridCount sample grids in the run (the report may show fewer)
 * @param nearest memorisation checks, oldest first
 * @param samplers diffusion sampler grids, fastest first
 */
public record RunData(String label, String name, String dir, String family, String configHash, StatsTable stats,
    List<MetricRow> metrics, List<CheckpointInfo> checkpoints, List<Image> grids, int gridCount, List<Nearest> nearest,
    List<SamplerGrid> samplers) {

  /** Provenance of one checkpoint (its metadata.json). */
  public record CheckpointInfo(long step, String configHash, String dataManifestHash, long seed,
      Map<String, String> versions, String createdAt) {}

  /** A PNG of a step. */
  public record Image(long step, byte[] png) {}

  /** eval/nearest-STEP.png and its JSON: per generated image, distances to its nearest training images. */
  public record Nearest(long step, byte[] png, String extractor, String extractorHash, List<List<Double>> distances) {}

  /** samplers/SAMPLER-STEPS.png and its JSON. */
  public record SamplerGrid(String sampler, long steps, double secondsPerImage, long seed, byte[] png) {}
}
