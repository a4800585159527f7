package io.sparkgen.jobs.train;

import io.sparkgen.jobs.fs.Failpoints;
import io.sparkgen.jobs.shard.ShardImages;
import io.sparkgen.jobs.spark.ExecutorPool;
import io.sparkgen.model.StepReport;
import io.sparkgen.model.train.ImageDataset;
import io.sparkgen.model.train.LocalTrainer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * One round of parameter-averaged data parallelism (the algorithm of DL4J's
 * ParameterAveragingTrainingMaster, over any family): the driver broadcasts the state, every
 * partition runs {@code localSteps} steps of the common {@link LocalTrainer} on its shard, a
 * treeAggregate sums the resulting states in float64, and the driver divides.
 *
 * <p>A worker's randomness (batch order, step noise) derives from (seed, shard index, global step)
 * only — the same as a {@link LocalTrainer} for that shard — so a recomputed partition repeats
 * itself exactly and one partition reproduces the local trainer step for step.
 */
public final class ParameterAveraging {

  private ParameterAveraging() {}

  /** Runs one round on {@code shards} (one shard per partition) from {@code state}; returns the sum. */
  public static StateSum round(JavaSparkContext sc, JavaRDD<ShardImages> shards, ModelSpec spec, String manifestHash,
      AveragedState state, int localSteps) {
    if (localSteps <= 0) {
      throw new IllegalArgumentException("localSteps must be > 0, got " + localSteps);
    }
    Broadcast<AveragedState> broadcast = sc.broadcast(state);
    try {
      return shards
          .mapPartitions(it -> {
            StateSum sum = new StateSum();
            while (it.hasNext()) {
              sum = sum.merge(work(it.next(), spec, manifestHash, broadcast.value(), localSteps));
            }
            return List.of(sum).iterator();
          })
          .treeAggregate(new StateSum(), StateSum::merge, StateSum::merge);
    } finally {
      broadcast.destroy();
    }
  }

  /**
   * One worker: take the state into this executor's model of the spec (built once per executor
   * and reused; the restored state is all of a model's state), train {@code localSteps} steps on
   * this shard.
   */
  static StateSum work(ShardImages shard, ModelSpec spec, String manifestHash, AveragedState state, int localSteps) {
    long started = System.nanoTime();
    ImageDataset data = shard.toDataset(manifestHash);
    return ExecutorPool.with("train:" + spec, spec::build, model -> {
      LocalTrainer trainer = new LocalTrainer(model, spec.trainConfig(), data, 0L, shard.index());
      state.restoreInto(trainer);
      Map<String, Double> metricSums = new TreeMap<>();
      for (int s = 0; s < localSteps; s++) {
        Failpoints.park("train.local-step");
        StepReport report = trainer.step();
        report.metrics().forEach((k, v) -> metricSums.merge(k, v, Double::sum));
      }
      return StateSum.of(trainer.state().toFloats(), metricSums, localSteps, (long) localSteps * spec.batchSize(),
          (System.nanoTime() - started) / 1e9);
    });
  }
}
