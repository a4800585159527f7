package io.sparkgen.jobs.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.config.ConfigLoader;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.eval.TrainFeaturesCommand;
import io.sparkgen.jobs.eval.TrainFeaturesConfig;
import io.sparkgen.jobs.shard.DataVersion;
import io.sparkgen.jobs.testing.ChildJvm;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import io.sparkgen.jobs.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retrain pipeline on the embedded Spark: the first run creates version 1; with nothing new it
 * changes nothing; new files are sharded alone into the next dataset version and the candidate is
 * promoted or rejected by the margin; an overlapping run is refused; a run killed mid-training and
 * started again ends with exactly one new version.
 */
class RetrainJobTest {

  private static final String VAE = "{latent-dim = 2, encoder-channels = [4, 4], decoder-base-channels = 4, "
      + "decoder-channels = [4, 4], optimizer {learning-rate = %s}}";

  @TempDir static Path tmp;
  static Path extractor;

  @BeforeAll
  static void extractor() throws Exception {
    Fixtures.idx(tmp.resolve("idx"), "train", 120, 8, 8, false);
    Shards.run("input.format=idx", "input.paths=[\"" + tmp.resolve("idx") + "\"]", "output=" + tmp.resolve("labelled"),
        "shards.train=1", "split.test-fraction=0.2");
    extractor = tmp.resolve("domain.zip");
    TrainFeaturesCommand.train(JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext()),
        new TrainFeaturesConfig(tmp.resolve("labelled").toString(), extractor.toString(), List.of(4, 8), 0, 1, 32, 1e-3,
            false), 3L, "test");
  }

  static List<String> sets(Path dir, String learningRate, double margin) {
    return List.of("shard.input.format=image-folder", "shard.input.paths=[\"" + dir.resolve("in") + "\"]",
        "shard.shards.train=2", "shard.split.test-fraction=0.3",
        "train.model.family=vae", "train.model.config=" + String.format(VAE, learningRate), "train.batch-size=4",
        "train.averaging-frequency=2", "train.checkpoint-every-rounds=1", "train.sample-grid-images=4",
        "evaluate.extractor=" + extractor, "evaluate.cache-dir=" + dir.resolve("cache"), "evaluate.real-count=10",
        "evaluate.fake-count=16", "evaluate.batch-size=8", "evaluate.kid-subsets=3", "evaluate.kid-subset-size=8",
        "evaluate.fid-inf-min-count=0", "evaluate.likelihood-count=0", "evaluate.nearest-count=0",
        "retrain.registry=" + dir.resolve("registry"), "retrain.dataset=" + dir.resolve("dataset"),
        "retrain.images-per-retrain=32", "retrain.metric=fid", "retrain.margin=" + margin,
        "retrain.lock-stale-seconds=3");
  }

  static RetrainJob.Outcome retrain(Path dir, String learningRate, double margin) throws Exception {
    ResolvedConfig config = ConfigLoader.load(List.of(), sets(dir, learningRate, margin), Map.of());
    return new RetrainJob(TestSpark.session(), config).run();
  }

  static ModelRegistry registry(Path dir) {
    return new ModelRegistry(localFs(), new org.apache.hadoop.fs.Path(dir.resolve("registry").toString()));
  }

  static FileSystem localFs() {
    try {
      return FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static int datasetVersion(Path dir) throws Exception {
    return DataVersion.open(dir.resolve("dataset").toString(), new org.apache.hadoop.conf.Configuration()).version();
  }

  static List<String> decisions(Path dir) throws Exception {
    return Files.readAllLines(dir.resolve("registry/decisions.csv"));
  }

  @Test
  void versionOneThenNothingNewThenRejectThenPromoteOnlyWhenBetter() throws Exception {
    Path dir = tmp.resolve("flow");
    Fixtures.pngFolder(dir.resolve("in"), 60, 8, 8, 1);
    // Version 1 barely moves from its initialisation (step size 1e-9): a worse model to beat later.
    assertEquals(RetrainJob.Outcome.PROMOTED, retrain(dir, "1e-9", 0));
    ModelRegistry registry = registry(dir);
    assertEquals(List.of(1), registry.versions());
    assertEquals(1, registry.current().getAsInt());
    assertEquals(1, datasetVersion(dir));
    assertTrue(Files.exists(dir.resolve("registry/report/report.html")));
    assertTrue(Files.notExists(dir.resolve("registry/work")), "the finished candidate's work directory remains");

    assertEquals(RetrainJob.Outcome.NO_NEW_DATA, retrain(dir, "1e-9", 0));
    assertEquals(1, datasetVersion(dir));

    Fixtures.pngFolder(dir.resolve("in"), 90, 8, 8, 1); // 30 new files, 60 unchanged
    assertEquals(RetrainJob.Outcome.REJECTED, retrain(dir, "2e-2", 1e9));
    assertEquals(2, datasetVersion(dir));
    DataVersion v2 = DataVersion.open(dir.resolve("dataset").toString(), new org.apache.hadoop.conf.Configuration());
    assertEquals(2, v2.parts().size());
    long newPart = v2.parts().get(1).manifest().train().count() + v2.parts().get(1).manifest().test().count();
    assertEquals(30, newPart, "only the new files are sharded into the new part");
    assertEquals(List.of(1), registry.versions());
    assertEquals(1, registry.current().getAsInt());

    Fixtures.pngFolder(dir.resolve("in"), 120, 8, 8, 1);
    RetrainJob.Outcome outcome = retrain(dir, "2e-2", 0);
    List<String> rows = decisions(dir);
    String last = rows.get(rows.size() - 1);
    String[] cells = last.split(",");
    double candidate = Double.parseDouble(cells[3]);
    double current = Double.parseDouble(cells[4]);
    assertEquals(candidate < current ? RetrainJob.Outcome.PROMOTED : RetrainJob.Outcome.REJECTED, outcome, last);
    assertEquals(RetrainJob.Outcome.PROMOTED, outcome,
        "a trained candidate should beat the untrained version 1: " + last);
    assertEquals(List.of(1, 2), registry.versions());
    assertEquals(2, registry.current().getAsInt());
    assertEquals(5, rows.size(), "header + 4 decisions: " + rows);
    try (Stream<Path> runs = Files.list(dir.resolve("registry/runs"))) {
      assertEquals(3, runs.count(), "three candidate runs archived");
    }
  }

  @Test
  void anOverlappingRetrainIsRefusedNamingTheHolder() throws Exception {
    Path dir = tmp.resolve("overlap");
    Fixtures.pngFolder(dir.resolve("in"), 60, 8, 8, 1);
    ModelRegistry registry = registry(dir);
    try (RegistryLock held = RegistryLock.acquire(localFs(), registry.lockFile(), Duration.ofMinutes(5),
        Clock.systemUTC())) {
      RegistryLock.HeldException e = assertThrows(RegistryLock.HeldException.class, () -> retrain(dir, "1e-3", 0));
      assertTrue(e.getMessage().contains("another retrain holds") && e.getMessage().contains(held.owner()),
          e.getMessage());
    }
    assertTrue(Files.notExists(dir.resolve("dataset")), "the refused run must not touch the dataset");
  }

  @Test
  void aRetrainKilledMidTrainingAndStartedAgainMakesOneVersion() throws Exception {
    Path dir = tmp.resolve("crash");
    Fixtures.pngFolder(dir.resolve("in"), 60, 8, 8, 1);
    List<String> args = new ArrayList<>(List.of("retrain", "--master", "local[2]"));
    for (String set : sets(dir, "1e-3", 0)) {
      args.addAll(List.of("--set", set));
    }
    args.addAll(List.of("--set", "retrain.images-per-retrain=96", "--set", "spark.conf={\"spark.ui.enabled\"=\"false\"}"));
    Process child = ChildJvm.start(tmp.resolve("crash.log"), List.of(), args.toArray(String[]::new));
    Path checkpoint = dir.resolve("registry/work/run/checkpoints/ckpt-000000000004.zip");
    long deadline = System.currentTimeMillis() + 240_000;
    while (!Files.exists(checkpoint) && child.isAlive() && System.currentTimeMillis() < deadline) {
      Thread.sleep(5);
    }
    boolean alive = child.isAlive();
    child.destroyForcibly();
    assertTrue(child.waitFor(60, TimeUnit.SECONDS));
    assertTrue(alive && Files.exists(checkpoint), "the kill must land mid-training:\n" + Files.readString(tmp.resolve("crash.log")));
    assertTrue(Files.notExists(dir.resolve("registry/current")), "the killed run must not have promoted anything");
    Thread.sleep(3_500); // the killed run's lock goes stale
    ResolvedConfig config = ConfigLoader.load(List.of(), concat(sets(dir, "1e-3", 0), "retrain.images-per-retrain=96"),
        Map.of());
    assertEquals(RetrainJob.Outcome.PROMOTED, new RetrainJob(TestSpark.session(), config).run());
    assertEquals(List.of(1), registry(dir).versions());
    assertEquals(1, datasetVersion(dir), "the data sharded before the kill is not sharded again");
    assertEquals(2, decisions(dir).size(), "one decision: " + decisions(dir));
  }

  private static List<String> concat(List<String> a, String b) {
    List<String> all = new ArrayList<>(a);
    all.add(b);
    return all;
  }
}
