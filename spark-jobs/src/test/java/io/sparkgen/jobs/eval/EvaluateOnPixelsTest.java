package io.sparkgen.jobs.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.config.ConfigLoader;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.sample.Generation;
import io.sparkgen.jobs.shard.DataVersion;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import io.sparkgen.jobs.testing.TestSpark;
import io.sparkgen.jobs.train.RunCheckpoints;
import io.sparkgen.jobs.train.TrainJob;
import io.sparkgen.model.gan.CriticWasserstein;
import io.sparkgen.model.metrics.MultiScaleSlicedWasserstein;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The metrics on pixels in {@code sparkgen evaluate} on 28x28 images — ProGAN's multi-scale SWD
 * (levels 28 and 14) and the critic's Wasserstein estimate: their rows and protocol, the same value
 * for any partitioning, and equal to the metric computed directly on the same real and generated pixels.
 */
class EvaluateOnPixelsTest {

  @TempDir static Path tmp;
  static Path data;
  static Path run;
  static Path extractor;

  @BeforeAll
  static void dataFeaturesAndRun() throws Exception {
    Fixtures.idx(tmp.resolve("in"), "train", 80, 28, 28, false);
    data = tmp.resolve("shards");
    Shards.run("input.format=idx", "input.paths=[\"" + tmp.resolve("in") + "\"]", "output=" + data, "shards.train=2",
        "shards.test=2", "split.test-fraction=0.4");
    extractor = tmp.resolve("features/domain.zip");
    TrainFeaturesCommand.train(JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext()),
        new TrainFeaturesConfig(data.toString(), extractor.toString(), List.of(4, 8), 0, 1, 32, 1e-3, false), 5L, "test");
    run = tmp.resolve("runs/vae");
    new TrainJob(TestSpark.session(), ConfigLoader.load(List.of(), List.of("train.data=" + data, "train.run-dir=" + run,
        "train.model.family=vae", "train.model.config={latent-dim = 2, encoder-channels = [4, 4], "
            + "decoder-base-channels = 4, decoder-channels = [4, 4]}",
        "train.batch-size=4", "train.averaging-frequency=2", "train.total-images=16", "train.sample-grid-images=4"),
        Map.of())).run();
  }

  static ResolvedConfig config(String... overrides) {
    List<String> all = new ArrayList<>(List.of("evaluate.run=" + run, "evaluate.data=" + data,
        "evaluate.extractor=" + extractor, "evaluate.cache-dir=" + tmp.resolve("cache"), "evaluate.real-count=20",
        "evaluate.fake-count=24", "evaluate.seed=11", "evaluate.batch-size=8", "evaluate.kid-subsets=2",
        "evaluate.kid-subset-size=10", "evaluate.fid-inf-min-count=0", "evaluate.likelihood-count=0",
        "evaluate.nearest-count=0", "evaluate.sampler-grids=[]", "evaluate.swd-multiscale-patches=16",
        "evaluate.swd-multiscale-repeats=2", "evaluate.swd-multiscale-directions=16"));
    all.addAll(List.of(overrides));
    return ConfigLoader.load(List.of(), all, Map.of());
  }

  private static MetricRow row(List<MetricRow> rows, String metric) {
    return rows.stream().filter(r -> r.metric().equals(metric)).findFirst()
        .orElseThrow(() -> new AssertionError(metric + " missing from " + rows.stream().map(MetricRow::metric).toList()));
  }

  @Test
  void rowsPerLevelAndTheirMeanEqualTheMetricOnTheSamePixelsForAnyPartitioning() throws Exception {
    List<MetricRow> one = new EvaluateJob(TestSpark.session(), config("evaluate.partitions=1")).run();
    List<MetricRow> three = new EvaluateJob(TestSpark.session(), config("evaluate.partitions=3")).run();
    MetricRow all = row(one, "swd-multiscale");
    MetricRow fine = row(one, "swd-multiscale-28");
    MetricRow coarse = row(one, "swd-multiscale-14");
    assertEquals((fine.value() + coarse.value()) / 2, all.value(), 1e-12 * all.value());
    assertTrue(fine.value() > 0 && coarse.value() > 0, fine + " " + coarse);
    assertEquals(20, all.nReal());
    assertEquals(20, all.nFake(), "n = min(real, generated)");
    assertEquals("none", all.extractor());
    assertTrue(all.protocol().startsWith("pixels:1x28x28;swd-multiscale=16x7x7/image,levels=[28,14],directions=2x16"),
        all.protocol());
    for (String metric : List.of("swd-multiscale", "swd-multiscale-28", "swd-multiscale-14")) {
      assertEquals(row(one, metric).value(), row(three, metric).value(), 0.0, metric + " depends on the partitioning");
    }

    INDArray[] pixels = firstTwentyRealAndGenerated();
    MultiScaleSlicedWasserstein.Result direct = MultiScaleSlicedWasserstein.of(pixels[0], pixels[1],
        new MultiScaleSlicedWasserstein.Settings(16, 2, 16), 11L);
    assertEquals(direct.average(), all.value(), 0.0);
    assertEquals(direct.perLevel()[0], fine.value(), 0.0);
  }

  /** The same pixels directly: the first 20 real test images and the first 20 generated with seed 11. */
  private static INDArray[] firstTwentyRealAndGenerated() throws Exception {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
    DataVersion version = DataVersion.open(data.toString(), sc.hadoopConfiguration());
    INDArray real = EvaluateJob.pixels(RealImages.firstN(sc, version, true, 20, 5, 2), 20);
    org.apache.hadoop.fs.Path runDir = new org.apache.hadoop.fs.Path(run.toString());
    FileSystem fs = runDir.getFileSystem(sc.hadoopConfiguration());
    List<org.apache.hadoop.fs.Path> checkpoints = RunCheckpoints.all(fs, runDir);
    byte[] bytes = Files.readAllBytes(Path.of(checkpoints.get(checkpoints.size() - 1).toUri()));
    INDArray fake = EvaluateJob.pixels(new Generation(11L, true, -1, Map.of(), 4).generate(sc, bytes, 20, 2), 20);
    return new INDArray[] {real, fake};
  }

  @Test
  void theCriticEstimateIsTheEstimatorOnTheSamePixelsForAnyPartitioning() throws Exception {
    String[] critic = {"evaluate.swd-multiscale-patches=0", "evaluate.critic-steps=3", "evaluate.critic-batch-size=4",
        "evaluate.critic-channels=[4, 8]"};
    List<String> one = new ArrayList<>(List.of(critic));
    one.add("evaluate.partitions=1");
    List<String> three = new ArrayList<>(List.of(critic));
    three.add("evaluate.partitions=3");
    List<MetricRow> a = new EvaluateJob(TestSpark.session(), config(one.toArray(String[]::new))).run();
    List<MetricRow> b = new EvaluateJob(TestSpark.session(), config(three.toArray(String[]::new))).run();
    MetricRow heldOut = row(a, "critic-wasserstein");
    assertEquals(heldOut.value(), row(b, "critic-wasserstein").value(), 0.0, "depends on the partitioning");
    assertEquals(10, heldOut.nReal(), "half of n = min(real, generated) is held out");
    assertTrue(heldOut.protocol().startsWith("pixels:1x28x28;critic=dcgan-d[4,8],wgan-gp,lambda=10.0,adam=1.0E-4/0.0/0.9,"
        + "steps=3,batch=4,held-out=10"), heldOut.protocol());

    INDArray[] pixels = firstTwentyRealAndGenerated();
    CriticWasserstein.Result direct = CriticWasserstein.estimate(pixels[0], pixels[1],
        CriticWasserstein.Options.wganGp(3, 4, List.of(4, 8)), 11L);
    assertEquals(direct.distance(), heldOut.value(), 0.0);
    assertEquals(direct.trainDistance(), row(a, "critic-wasserstein-train").value(), 0.0);
  }

  @Test
  void zeroPatchesSkipsIt() throws Exception {
    List<MetricRow> rows = new EvaluateJob(TestSpark.session(), config("evaluate.swd-multiscale-patches=0")).run();
    assertTrue(rows.stream().noneMatch(r -> r.metric().startsWith("swd-multiscale")), rows.toString());
    assertTrue(rows.stream().noneMatch(r -> r.metric().startsWith("critic")), "critic-steps = 0 by default");
    assertTrue(rows.stream().anyMatch(r -> r.metric().equals("fid")));
  }
}
