package io.sparkgen.jobs.config;

import io.sparkgen.jobs.eval.EvaluateConfig;
import io.sparkgen.jobs.eval.FeaturesConfig;
import io.sparkgen.jobs.eval.FidConfig;
import io.sparkgen.jobs.eval.TrainFeaturesConfig;
import io.sparkgen.jobs.retrain.RetrainConfig;
import io.sparkgen.jobs.report.ReportConfig;
import io.sparkgen.jobs.sample.SampleConfig;
import io.sparkgen.jobs.shard.ShardConfig;
import io.sparkgen.jobs.train.TrainJobConfig;

/**
 * The whole configuration: one section per job, defaults in code. Files in conf/ and command-line
 * overrides change it; {@code --dry-run} prints it resolved.
 */
public record SparkgenConfig(
    @Doc("Master seed: every random choice of every job derives from it.") long seed,
    @Doc("Spark session settings.") SparkSettings spark,
    @Doc("The shard job: image collection in, Parquet shards and manifest out.") ShardConfig shard,
    @Doc("The training job: parameter-averaged data parallelism over the shards.") TrainJobConfig train,
    @Doc("The sampling job: images from a checkpoint, generated on the executors.") SampleConfig sample,
    @Doc("The report job: HTML report and combined tables over training runs.") ReportConfig report,
    @Doc("Metrics between two feature files (sparkgen fid).") FidConfig fid,
    @Doc("The evaluation job: metrics of a run's checkpoints against real data.") EvaluateConfig evaluate,
    @Doc("The domain feature network for the metrics (sparkgen train-features).") TrainFeaturesConfig trainFeatures,
    @Doc("Features of images into a .npy (sparkgen features).") FeaturesConfig features,
    @Doc("Scheduled retraining (sparkgen retrain): new data in, a better model promoted or none.") RetrainConfig retrain) {

  public static SparkgenConfig defaults() {
    return new SparkgenConfig(20261122L, SparkSettings.defaults(), ShardConfig.defaults(), TrainJobConfig.defaults(),
        SampleConfig.defaults(), ReportConfig.defaults(), FidConfig.defaults(), EvaluateConfig.defaults(),
        TrainFeaturesConfig.defaults(), FeaturesConfig.defaults(), RetrainConfig.defaults());
  }
}
