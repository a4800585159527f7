package io.sparkgen.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.shard.ShardImages;
import io.sparkgen.jobs.shard.ShardManifest;
import io.sparkgen.jobs.shard.ShardSet;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import io.sparkgen.jobs.testing.TestSpark;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.train.LocalTrainer;
import io.sparkgen.model.vae.VaeConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The averaging invariants of issue 4: one partition is the local trainer step for step; P workers
 * with identical data and seeds end where one worker ends; the averaged state (parameters and
 * optimizer state alike) is the mean of the workers' states.
 */
class ParameterAveragingTest {

  @TempDir static Path tmp;
  private static List<ShardImages> shards;
  private static String manifestHash;
  private static ModelSpec spec;

  @BeforeAll
  static void data() throws Exception {
    Fixtures.idx(tmp.resolve("in"), "train", 96, 8, 8, false);
    ShardManifest m = Shards.run("input.format=idx", "input.paths=[\"" + tmp.resolve("in") + "\"]",
        "output=" + tmp.resolve("out"), "shards.train=2", "split.test-fraction=0");
    manifestHash = m.shardSetSha256();
    shards = ShardSet.open(tmp.resolve("out").toString(), TestSpark.session().sparkContext().hadoopConfiguration())
        .load(sc(), false).collect();
    VaeConfig tiny = new VaeConfig(new ImageShape(1, 8, 8), 0, 4, 2, 3, List.of(4, 4), 4, List.of(4, 4),
        AdamConfig.of(1e-2, 0.9));
    spec = new ModelSpec("vae", Configs.toJson(tiny), 7L, 8, 10_000L, 100.0);
  }

  private static JavaSparkContext sc() {
    return JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
  }

  private static LocalTrainer localTrainer(ShardImages shard) {
    return new LocalTrainer(spec.build(), spec.trainConfig(), shard.toDataset(manifestHash), 0L, shard.index());
  }

  private static AveragedState initial() {
    return AveragedState.of(localTrainer(shards.get(0)));
  }

  @Test
  void onePartitionIsTheLocalTrainerStepForStep() {
    JavaRDD<ShardImages> one = sc().parallelize(List.of(shards.get(0)), 1);
    LocalTrainer local = localTrainer(shards.get(0));
    AveragedState state = initial();
    for (int round = 0; round < 3; round++) {
      StateSum sum = ParameterAveraging.round(sc(), one, spec, manifestHash, state, 2);
      state = sum.mean(state.step() + 2);
      local.step();
      local.step();
      assertEquals(1, sum.workers());
      assertEquals(local.stepCount(), state.step());
      assertStatesEqual(AveragedState.of(local), state, 0f);
    }
  }

  @Test
  void identicalWorkersAverageToOneWorker() {
    JavaRDD<ShardImages> same = sc().parallelize(List.of(shards.get(1), shards.get(1), shards.get(1)), 3);
    JavaRDD<ShardImages> single = sc().parallelize(List.of(shards.get(1)), 1);
    AveragedState three = ParameterAveraging.round(sc(), same, spec, manifestHash, initial(), 3).mean(3);
    AveragedState one = ParameterAveraging.round(sc(), single, spec, manifestHash, initial(), 3).mean(3);
    // (x + x + x) / 3 in float64 is x exactly for float32 x.
    assertStatesEqual(one, three, 0f);
  }

  @Test
  void averagedStateIsTheMeanOfTheWorkersStates() {
    AveragedState start = initial();
    JavaRDD<ShardImages> both = sc().parallelize(shards, 2);
    StateSum sum = ParameterAveraging.round(sc(), both, spec, manifestHash, start, 4);
    AveragedState averaged = sum.mean(4);
    assertEquals(2, sum.workers());
    assertEquals(2 * 4 * 8, sum.images());

    Map<String, float[]> a = trainAlone(shards.get(0), start, 4);
    Map<String, float[]> b = trainAlone(shards.get(1), start, 4);
    boolean differ = false;
    for (String name : a.keySet()) {
      float[] mean = new float[a.get(name).length];
      for (int i = 0; i < mean.length; i++) {
        mean[i] = (float) (((double) a.get(name)[i] + b.get(name)[i]) / 2);
      }
      assertArrayEquals(mean, averaged.values().get(name), 0f, name);
      differ |= !Arrays.equals(a.get(name), b.get(name));
    }
    assertFalse(!differ, "the two workers must have trained differently for the test to mean anything");
    assertTrue(a.keySet().stream().anyMatch(n -> n.startsWith("optimizer/")), "optimizer state is averaged too");
    assertTrue(a.keySet().stream().anyMatch(n -> n.startsWith("ema/")), "EMA is averaged too");
  }

  private static Map<String, float[]> trainAlone(ShardImages shard, AveragedState start, int steps) {
    LocalTrainer t = localTrainer(shard);
    start.restoreInto(t);
    for (int s = 0; s < steps; s++) {
      t.step();
    }
    return t.state().toFloats();
  }

  private static void assertStatesEqual(AveragedState expected, AveragedState actual, float tolerance) {
    assertEquals(expected.values().keySet(), actual.values().keySet());
    expected.values().forEach((name, values) -> assertArrayEquals(values, actual.values().get(name), tolerance, name));
  }
}
