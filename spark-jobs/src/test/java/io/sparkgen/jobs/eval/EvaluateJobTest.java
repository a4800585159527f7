package io.sparkgen.jobs.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.config.ConfigLoader;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import io.sparkgen.jobs.testing.TestSpark;
import io.sparkgen.jobs.train.TrainJob;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.features.DomainClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sparkgen evaluate} end to end on a tiny shard set: a domain feature network trained by
 * train-features, a short VAE run, and every metric written with its provenance; numbers that
 * do not depend on the partitioning; the real statistics cache.
 */
class EvaluateJobTest {

  @TempDir static Path tmp;
  static Path data;
  static Path run;
  static Path extractor;

  @BeforeAll
  static void dataFeaturesAndRun() throws Exception {
    Fixtures.idx(tmp.resolve("in"), "train", 160, 8, 8, false);
    data = tmp.resolve("shards");
    Shards.run("input.format=idx", "input.paths=[\"" + tmp.resolve("in") + "\"]", "output=" + data, "shards.train=2",
        "shards.test=1", "split.test-fraction=0.3");
    extractor = tmp.resolve("features/domain.zip");
    TrainFeaturesCommand.train(JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext()),
        new TrainFeaturesConfig(data.toString(), extractor.toString(), List.of(4, 8), 0, 1, 32, 1e-3, false), 5L, "test");
    run = tmp.resolve("runs/vae");
    new TrainJob(TestSpark.session(), ConfigLoader.load(List.of(), List.of("train.data=" + data, "train.run-dir=" + run,
        "train.model.family=vae", "train.model.conditional=true",
        "train.model.config={latent-dim = 2, label-embedding-dim = 2, encoder-channels = [4, 4], "
            + "decoder-base-channels = 4, decoder-channels = [4, 4]}",
        "train.batch-size=4", "train.averaging-frequency=2", "train.total-images=32", "train.checkpoint-every-rounds=1",
        "train.sample-grid-images=4"), Map.of())).run();
  }

  static ResolvedConfig config(String... overrides) {
    List<String> all = new ArrayList<>(List.of("evaluate.run=" + run, "evaluate.data=" + data,
        "evaluate.extractor=" + extractor, "evaluate.cache-dir=" + tmp.resolve("cache"), "evaluate.real-count=30",
        "evaluate.fake-count=32", "evaluate.batch-size=8", "evaluate.kid-subsets=5", "evaluate.kid-subset-size=12",
        "evaluate.fid-inf-min-count=8", "evaluate.fid-inf-sizes=3", "evaluate.likelihood-count=20",
        "evaluate.nearest-count=3", "evaluate.nearest-pool=40", "evaluate.nearest-k=2"));
    all.addAll(List.of(overrides));
    return ConfigLoader.load(List.of(), all, Map.of());
  }

  static Map<String, Double> values(List<MetricRow> rows) {
    return rows.stream().collect(Collectors.toMap(MetricRow::metric, MetricRow::value, (a, b) -> a, TreeMap::new));
  }

  @Test
  void everyMetricIsWrittenWithItsProvenanceAndTheMemorisationCheck() throws Exception {
    List<MetricRow> rows = new EvaluateJob(TestSpark.session(), config("evaluate.checkpoints=all")).run();
    Map<String, Double> latest = values(rows.stream().filter(r -> r.step() == rows.get(rows.size() - 1).step()).toList());
    for (String metric : List.of("fid", "kid", "precision", "recall", "swd-features", "inception-score", "fid-inf",
        "elbo-nats", "iwae-64-nats")) {
      assertTrue(latest.containsKey(metric), metric + " missing from " + latest.keySet());
      assertTrue(Double.isFinite(latest.get(metric)), metric + " = " + latest.get(metric));
    }
    assertTrue(latest.get("fid") > 0 && latest.get("precision") >= 0 && latest.get("precision") <= 1, latest.toString());
    String hash = DomainClassifier.read(Files.readAllBytes(extractor), "x").hash();
    MetricRow fid = rows.stream().filter(r -> r.metric().equals("fid")).findFirst().orElseThrow();
    assertEquals(hash, fid.extractorHash());
    assertEquals("domain", fid.extractor());
    assertEquals(30, fid.nReal());
    assertEquals(32, fid.nFake());
    assertEquals("test", fid.split());
    assertTrue(fid.protocol().startsWith("domain:1x8x8") && fid.protocol().contains("weights=ema"), fid.protocol());
    assertFalse(fid.dataManifestHash().isEmpty());
    assertEquals(2, rows.stream().map(MetricRow::step).distinct().count(), "two checkpoints evaluated");
    MetricRow elbo = rows.stream().filter(r -> r.metric().equals("elbo-nats")).findFirst().orElseThrow();
    assertEquals("none", elbo.extractor());
    assertEquals(20, elbo.nReal());
    assertEquals(rows.size(), MetricsTable.read(TestSpark.session(), new org.apache.hadoop.fs.Path(run.toString())).size());
    // sparkgen fid on the cached real statistics and the saved generated features gives the same FID.
    long step = rows.get(rows.size() - 1).step();
    Path cache;
    try (Stream<Path> cached = Files.list(tmp.resolve("cache"))) {
      cache = cached.filter(p -> p.toString().endsWith(".zip")).filter(p -> {
        try {
          return RealStats.read(Files.readAllBytes(p), p.toString()).identity().get("split").equals("test");
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).findFirst().orElseThrow();
    }
    Object[] fidRun = io.sparkgen.jobs.testing.Cli.run("fid", "--real", cache.toString(), "--fake",
        run.resolve(String.format("eval/features-%012d.npy", step)).toString());
    assertEquals(0, fidRun[0], (String) fidRun[2]);
    assertTrue(((String) fidRun[1]).contains(String.format(java.util.Locale.ROOT, "fid %.6f", latest.get("fid"))),
        fidRun[1] + " vs " + latest.get("fid"));
    try (Stream<Path> files = Files.list(run.resolve("eval"))) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertTrue(names.stream().anyMatch(n -> n.matches("nearest-\\d{12}\\.png")), names.toString());
      Path json = run.resolve("eval").resolve(names.stream().filter(n -> n.matches("nearest-.*\\.json")).findFirst()
          .orElseThrow());
      var tree = Configs.MAPPER.readTree(json.toFile());
      assertEquals(hash, tree.get("extractorHash").asText());
      assertEquals(3, tree.get("distances").size());
      assertTrue(tree.get("distances").get(0).get(0).asDouble() <= tree.get("distances").get(0).get(1).asDouble());
    }
  }

  @Test
  void numbersDoNotDependOnThePartitioningAndTheCacheGivesTheSameNumbers() throws Exception {
    Map<String, Double> one = values(new EvaluateJob(TestSpark.session(), config("evaluate.partitions=1")).run());
    Map<String, Double> seven = values(new EvaluateJob(TestSpark.session(), config("evaluate.partitions=7")).run());
    Map<String, Double> three = values(new EvaluateJob(TestSpark.session(), config("evaluate.partitions=3",
        "evaluate.cache-dir=" + tmp.resolve("cache-2"))).run());
    for (String metric : List.of("fid", "kid", "swd-features", "precision", "recall", "inception-score")) {
      for (Map<String, Double> other : List.of(seven, three)) {
        assertEquals(one.get(metric), other.get(metric), 1e-9 * Math.abs(one.get(metric)) + 1e-15, metric);
      }
    }
    try (Stream<Path> cached = Files.list(tmp.resolve("cache"))) {
      assertEquals(2, cached.filter(p -> p.toString().endsWith(".zip")).count(),
          "one entry for the test split statistics, one for the training pool");
    }
  }

  @Test
  void aDiffusionRunGetsOneGridPerSamplerFromTheSameSeedsAndOtherFamiliesSkipThem() throws Exception {
    Path diffusion = tmp.resolve("runs/diffusion");
    new TrainJob(TestSpark.session(), ConfigLoader.load(List.of(), List.of("train.data=" + data,
        "train.run-dir=" + diffusion, "train.model.family=diffusion",
        "train.model.config={channels = [4, 8], groups = 4, time-embedding-dim = 8, timesteps = 50, sampler-steps = 5}",
        "train.batch-size=4", "train.averaging-frequency=2", "train.total-images=16", "train.sample-grid-images=4"),
        Map.of())).run();
    List<String> grids = List.of("evaluate.sampler-grids=[\"sampler=ddim,steps=5\", \"sampler=dpm-solver++,steps=5\", "
        + "\"sampler=ddpm,steps=50\"]", "evaluate.sampler-grid-images=4");
    List<String> overrides = new ArrayList<>(List.of("evaluate.run=" + diffusion));
    overrides.addAll(grids);
    new EvaluateJob(TestSpark.session(), config(overrides.toArray(String[]::new))).run();
    for (String name : List.of("ddim-5", "dpm-solver++-5", "ddpm-50")) {
      Path json = diffusion.resolve("samplers/" + name + ".json");
      assertTrue(Files.exists(diffusion.resolve("samplers/" + name + ".png")), name);
      var tree = Configs.MAPPER.readTree(json.toFile());
      assertTrue(tree.get("secondsPerImage").asDouble() > 0, tree.toString());
      assertEquals(4, tree.get("images").asInt());
    }
    new EvaluateJob(TestSpark.session(), config(grids.toArray(String[]::new))).run();
    assertFalse(Files.exists(run.resolve("samplers")), "the VAE's sampler refuses these options; no grids");
  }

  @Test
  void featuresOfShardsAnNpyAndAPngFolderAgreeWithEachOtherAndWithEvaluate() throws Exception {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
    var shardFeatures = FeaturesCommand.run(sc, new FeaturesConfig(data.toString(), "test", 30, extractor.toString(),
        "domain", tmp.resolve("f/shards.npy").toString(), 8, 3));
    new EvaluateJob(TestSpark.session(), config("evaluate.cache-dir=" + tmp.resolve("cache-f"))).run();
    try (Stream<Path> cached = Files.list(tmp.resolve("cache-f"))) {
      for (Path p : cached.filter(p -> p.toString().endsWith(".zip")).toList()) {
        RealStats stats = RealStats.read(Files.readAllBytes(p), p.toString());
        if (stats.identity().get("split").equals("test")) {
          assertEquals(stats.features(), shardFeatures, "features equal the ones evaluate cached");
        }
      }
    }
    Path folder = tmp.resolve("f/png");
    Path npy = tmp.resolve("f/images.npy");
    Files.createDirectories(folder);
    try (var out = Files.newOutputStream(npy)) {
      io.sparkgen.jobs.image.NpyWriter.header(out, "|u1", 20, 8, 8, 1);
      for (int i = 0; i < 20; i++) {
        var image = Fixtures.image(i, 8, 8, 1);
        Fixtures.png(folder.resolve(String.format("img-%04d.png", i)), image);
        out.write(image.pixels());
      }
    }
    var fromPng = FeaturesCommand.run(sc, new FeaturesConfig(folder.toString(), "test", 0, extractor.toString(),
        "domain", tmp.resolve("f/png.npy").toString(), 8, 2));
    var fromNpy = FeaturesCommand.run(sc, new FeaturesConfig(npy.toString(), "test", 0, extractor.toString(),
        "domain", tmp.resolve("f/npy.npy").toString(), 8, 3));
    assertEquals(20, fromPng.size(0));
    assertEquals(fromPng, fromNpy);
    assertEquals(fromNpy, FeatureFiles.read(tmp.resolve("f/npy.npy").toString(), new org.apache.hadoop.conf.Configuration()));
    assertTrue(Files.exists(tmp.resolve("f/npy-logits.npy")), "logits beside the features");
  }

  @Test
  void badInputIsNamed() {
    var e = assertThrows(IllegalArgumentException.class, () -> new EvaluateJob(TestSpark.session(),
        config("evaluate.extractor=" + tmp.resolve("nope.zip"))).run());
    assertTrue(e.getMessage().contains("nope.zip") && e.getMessage().contains("train-features"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new EvaluateJob(TestSpark.session(),
        config("evaluate.real-count=100000")).run());
    assertTrue(e.getMessage().contains("100000"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new EvaluateJob(TestSpark.session(),
        config("evaluate.run=" + tmp.resolve("empty-run"))).run());
    assertTrue(e.getMessage().contains("no checkpoints"), e.getMessage());
  }
}
