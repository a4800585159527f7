package io.sparkgen.jobs.retrain;

import io.sparkgen.jobs.config.Check;
import io.sparkgen.jobs.config.Doc;
import java.util.Set;

/**
 * Configuration of {@code sparkgen retrain}. The new images come from the {@code shard} section's
 * input, the model and training settings from {@code train}, the evaluation protocol from
 * {@code evaluate}; their run and output locations are set by the retrain itself.
 */
public record RetrainConfig(
    @Doc("Model registry directory (Hadoop URI or local path): versions, current pointer, decisions, lock, runs.")
        String registry,
    @Doc("Dataset root (Hadoop URI or local path): appended shard-set parts and their versions/.") String dataset,
    @Doc("Training images per retrain (rounded up to whole rounds).") long imagesPerRetrain,
    @Doc("Train every candidate from scratch instead of continuing the current model.") boolean fromScratch,
    @Doc("Metric deciding promotion: fid, kid, swd-features (lower is better), precision, recall, inception-score.")
        String metric,
    @Doc("Promote only when the candidate beats the current model by more than this (in the metric's units).")
        double margin,
    @Doc("Seconds without a heartbeat after which another run's lock counts as stale and is recovered.")
        long lockStaleSeconds) {

  static final Set<String> LOWER_IS_BETTER = Set.of("fid", "kid", "swd-features", "fid-inf");
  static final Set<String> HIGHER_IS_BETTER = Set.of("precision", "recall", "inception-score");

  public RetrainConfig {
    Check.that(!registry.isBlank(), "registry", registry, "must name the model registry directory");
    Check.that(!dataset.isBlank(), "dataset", dataset, "must name the dataset root");
    Check.that(imagesPerRetrain > 0, "images-per-retrain", imagesPerRetrain, "must be > 0");
    Check.that(LOWER_IS_BETTER.contains(metric) || HIGHER_IS_BETTER.contains(metric), "metric", metric,
        "must be one of fid, fid-inf, kid, swd-features, precision, recall, inception-score");
    Check.that(margin >= 0, "margin", margin, "must be >= 0");
    Check.that(lockStaleSeconds > 0, "lock-stale-seconds", lockStaleSeconds, "must be > 0");
  }

  public static RetrainConfig defaults() {
    return new RetrainConfig("registry/fashion-mnist", "datasets/fashion-mnist", 60_000, false, "fid", 0.0, 900);
  }

  /** Whether {@code candidate} beats {@code current} by more than the margin. */
  boolean better(double candidate, double current) {
    return LOWER_IS_BETTER.contains(metric) ? candidate < current - margin : candidate > current + margin;
  }
}
