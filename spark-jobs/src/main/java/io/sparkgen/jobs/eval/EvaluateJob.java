package io.sparkgen.jobs.eval;

import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.fs.HadoopFiles;
import io.sparkgen.jobs.image.ImageBlock;
import io.sparkgen.jobs.image.ImageCodec;
import io.sparkgen.jobs.image.ImageGrid;
import io.sparkgen.jobs.image.RawImage;
import io.sparkgen.jobs.sample.Generation;
import io.sparkgen.jobs.sample.SampleConfig;
import io.sparkgen.jobs.shard.DataVersion;
import io.sparkgen.jobs.spark.ExecutorPool;
import io.sparkgen.jobs.train.RunCheckpoints;
import io.sparkgen.model.Batch;
import io.sparkgen.model.checkpoint.Checkpoint;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.metrics.FeatureMoments;
import io.sparkgen.model.metrics.FidInfinity;
import io.sparkgen.model.metrics.FrechetDistance;
import io.sparkgen.model.metrics.InceptionScore;
import io.sparkgen.model.metrics.KernelInceptionDistance;
import io.sparkgen.model.gan.CriticWasserstein;
import io.sparkgen.model.metrics.MultiScaleSlicedWasserstein;
import io.sparkgen.model.metrics.PrecisionRecall;
import io.sparkgen.model.metrics.SlicedWasserstein;
import io.sparkgen.model.provenance.Hashes;
import io.sparkgen.model.provenance.Versions;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.random.Seeds;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sparkgen evaluate}: for each chosen checkpoint of a run, N images generated on the
 * executors, their features computed there (extractor loaded once per executor), float64 moments
 * merged by treeAggregate, and on the driver FID, KID, precision/recall, sliced Wasserstein on
 * features, ProGAN's multi-scale sliced Wasserstein on pixels, Inception Score (where the extractor has logits) and FID_inf against the cached
 * statistics of the first N real images; the model's likelihood of real test images where it has
 * one; and a memorisation check (generated images beside their nearest training images in feature
 * space). Rows go to the run's metrics table with their provenance.
 */
public final class EvaluateJob {

  private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);

  private final SparkSession spark;
  private final ResolvedConfig resolved;
  private final EvaluateConfig config;

  public EvaluateJob(SparkSession spark, ResolvedConfig resolved) {
    this.spark = spark;
    this.resolved = resolved;
    this.config = resolved.config().evaluate();
  }

  /** Evaluates; returns the rows written. */
  public List<MetricRow> run() throws IOException {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Path runDir = new Path(config.run());
    FileSystem fs = runDir.getFileSystem(sc.hadoopConfiguration());
    List<Path> checkpoints = chosen(fs, runDir);
    DataVersion data = DataVersion.open(config.data(), sc.hadoopConfiguration());
    Extractor extractor = Extractor.load(sc, config.extractorKind(), config.extractor());
    long seed = config.seed() >= 0 ? config.seed() : resolved.config().seed();
    int partitions = config.partitions() > 0 ? config.partitions() : Math.max(2, sc.defaultParallelism());
    boolean test = config.split().equals("test");
    LOG.info("evaluate: {} checkpoint(s) of {} against the first {} {} images of {}, extractor {} {}",
        checkpoints.size(), runDir, config.realCount(), config.split(), data.uri(), extractor.id(), extractor.hash());
    RealStats real = RealStats.getOrCompute(sc, data, extractor, test, config.realCount(), new Path(config.cacheDir()),
        config.batchSize(), partitions);
    RealStats pool = config.nearestCount() > 0
        ? RealStats.getOrCompute(sc, data, extractor, false, Math.min(config.nearestPool(), data.count(false)),
            new Path(config.cacheDir()), config.batchSize(), partitions)
        : null;

    String evaluationId = "eval-" + Instant.now().toString().replaceAll("[^0-9]", "").substring(0, 14) + "-"
        + Hashes.sha256Hex(resolved.hash() + System.nanoTime()).substring(0, 6);
    List<MetricRow> all = new ArrayList<>();
    imagesSeen = imagesSeenByStep(fs, runDir);
    long started = System.nanoTime();
    for (int i = 0; i < checkpoints.size(); i++) {
      Path source = checkpoints.get(i);
      byte[] bytes;
      try (InputStream in = fs.open(source)) {
        bytes = in.readAllBytes();
      }
      Checkpoint checkpoint = Checkpoint.read(new ByteArrayInputStream(bytes), source.toString());
      List<MetricRow> rows = evaluate(sc, runDir, fs, checkpoint, bytes, data, extractor, real, pool, seed, partitions,
          evaluationId);
      MetricsTable.append(spark, runDir, evaluationId + "-" + checkpoint.metadata().step(), rows);
      all.addAll(rows);
      double elapsed = (System.nanoTime() - started) / 1e9;
      double eta = elapsed / (i + 1) * (checkpoints.size() - i - 1);
      System.out.printf(java.util.Locale.ROOT, "evaluate: checkpoint %d/%d (step %d): %s  [%.0f s, ETA %.0f s]%n", i + 1,
          checkpoints.size(), checkpoint.metadata().step(), summary(rows), elapsed, eta);
    }
    return all;
  }

  private Map<Long, Long> imagesSeen = Map.of();

  /** images_seen by step from the run's stats.csv (empty when the run has none). */
  private static Map<Long, Long> imagesSeenByStep(FileSystem fs, Path runDir) throws IOException {
    Path stats = new Path(runDir, "stats.csv");
    if (!fs.exists(stats)) {
      return Map.of();
    }
    String text;
    try (InputStream in = fs.open(stats)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    io.sparkgen.jobs.report.StatsTable table = io.sparkgen.jobs.report.StatsTable.parse(text, stats.toString());
    double[] steps = table.column("step");
    double[] seen = table.column("images_seen");
    Map<Long, Long> bySteps = new TreeMap<>();
    for (int i = 0; i < steps.length; i++) {
      bySteps.put((long) steps[i], (long) seen[i]);
    }
    return bySteps;
  }

  private List<Path> chosen(FileSystem fs, Path runDir) throws IOException {
    List<Path> all = RunCheckpoints.all(fs, runDir);
    if (all.isEmpty()) {
      throw new IllegalArgumentException(runDir + " has no checkpoints to evaluate");
    }
    return switch (config.checkpoints()) {
      case "latest" -> List.of(all.get(all.size() - 1));
      case "all" -> all;
      default -> {
        List<Path> picked = new ArrayList<>();
        for (String step : config.checkpoints().split(",")) {
          picked.add(RunCheckpoints.select(fs, config.run(), step.trim()));
        }
        yield picked;
      }
    };
  }

  private List<MetricRow> evaluate(JavaSparkContext sc, Path runDir, FileSystem fs, Checkpoint checkpoint, byte[] bytes,
      DataVersion data, Extractor extractor, RealStats real, RealStats pool, long seed, int partitions,
      String evaluationId) throws IOException {
    long step = checkpoint.metadata().step();
    long nFake = config.fakeImages();
    boolean ema = config.weights() == SampleConfig.Weights.EMA;
    Generation generation = new Generation(seed, ema, -1, config.options(), config.batchSize());
    sc.setJobDescription("evaluate: " + nFake + " images from step " + step + " and their features");
    JavaRDD<ImageBlock> images = generation.generate(sc, bytes, nFake, partitions).cache();
    JavaRDD<FeatureBlock> blocks = extractor.features(images, config.batchSize()).cache();
    FeatureMoments fakeMoments = Extractor.moments(blocks, extractor.dimension());
    List<FeatureBlock> collected = blocks.collect();
    INDArray fake = Extractor.matrix(collected);
    INDArray logits = Extractor.logits(collected);

    HadoopFiles.write(fs, new Path(runDir, String.format("eval/features-%012d.npy", step)), Nd4j.toNpyByteArray(fake));
    Rows rows = new Rows(runDir, checkpoint, step, extractor, seed, evaluationId, real.features().size(0), nFake);
    FrechetDistance.Result fid = FrechetDistance.between(real.moments(), fakeMoments);
    rows.add("fid", fid.value(), Double.NaN, "");
    int subset = (int) Math.min(config.kidSubsetSize(), Math.min(real.features().size(0), nFake));
    KernelInceptionDistance.Result kid = KernelInceptionDistance.of(real.features(), fake, config.kidSubsets(), subset, seed);
    rows.add("kid", kid.mean(), kid.std(), "kid=" + kid.subsets() + "x" + kid.subsetSize());
    PrecisionRecall.Result pr = PrecisionRecall.of(real.features(), fake, config.k());
    rows.add("precision", pr.precision(), Double.NaN, "k=" + pr.k());
    rows.add("recall", pr.recall(), Double.NaN, "k=" + pr.k());
    rows.add("swd-features", SlicedWasserstein.of(real.features(), fake, config.swdRepeats(), config.swdDirections(), seed),
        Double.NaN, "swd=" + config.swdRepeats() + "x" + config.swdDirections());
    onPixels(sc, data, images, nFake, seed, partitions, rows);
    if (logits != null) {
      InceptionScore.Result is = InceptionScore.of(logits, config.isSplits());
      rows.add("inception-score", is.mean(), is.std(), "splits=" + config.isSplits());
    }
    if (config.fidInfMinCount() > 0 && nFake >= 2L * config.fidInfMinCount()) {
      FidInfinity.Result inf = FidInfinity.of(real.moments(), fake, config.fidInfMinCount(), config.fidInfSizes(), seed);
      rows.add("fid-inf", inf.value(), Double.NaN, "fid-inf=" + config.fidInfMinCount() + ".." + nFake + "/"
          + config.fidInfSizes());
    }
    likelihood(sc, checkpoint, bytes, data, ema, seed, partitions, rows);
    if (pool != null) {
      nearest(sc, fs, runDir, step, images, fake, data, pool, extractor, partitions);
    }
    samplerGrids(sc, fs, runDir, checkpoint, bytes, ema, seed, partitions);
    images.unpersist();
    blocks.unpersist();
    return rows.all;
  }

  /**
   * The metrics on pixels, over the first n = min(real, generated) images of each set gathered in
   * index order (the same values for any partitioning): ProGAN's multi-scale SWD, skipped with a log
   * line where the images are too small for its levels, and the critic's Wasserstein estimate.
   */
  private void onPixels(JavaSparkContext sc, DataVersion data, JavaRDD<ImageBlock> images, long nFake, long seed,
      int partitions, Rows rows) {
    if (config.swdMultiscalePatches() == 0 && config.criticSteps() == 0) {
      return;
    }
    long n = Math.min(config.realCount(), nFake);
    sc.setJobDescription("evaluate: " + n + " real and generated images' pixels on the driver");
    INDArray fakePixels = pixels(images, n);
    INDArray realPixels = pixels(RealImages.firstN(sc, data, config.split().equals("test"), n, config.batchSize(),
        partitions), n);
    if (config.swdMultiscalePatches() > 0) {
      multiScaleSwd(realPixels, fakePixels, n, seed, rows);
    }
    if (config.criticSteps() > 0) {
      criticWasserstein(realPixels, fakePixels, n, seed, rows);
    }
  }

  private void multiScaleSwd(INDArray realPixels, INDArray fakePixels, long n, long seed, Rows rows) {
    long[] shape = fakePixels.shape();
    if (!MultiScaleSlicedWasserstein.supports((int) shape[2], (int) shape[3])) {
      LOG.info("evaluate: multi-scale SWD skipped: {}x{} images are too small for its levels (at least {} rows, "
          + "sides halving evenly)", shape[2], shape[3], MultiScaleSlicedWasserstein.MIN_RESOLUTION);
      return;
    }
    MultiScaleSlicedWasserstein.Result swd = MultiScaleSlicedWasserstein.of(realPixels, fakePixels,
        new MultiScaleSlicedWasserstein.Settings(config.swdMultiscalePatches(), config.swdMultiscaleRepeats(),
            config.swdMultiscaleDirections()), seed);
    String protocol = "pixels:" + shape[1] + "x" + shape[2] + "x" + shape[3] + ";swd-multiscale="
        + config.swdMultiscalePatches() + "x" + MultiScaleSlicedWasserstein.PATCH + "x" + MultiScaleSlicedWasserstein.PATCH
        + "/image,levels=" + java.util.Arrays.toString(swd.resolutions()).replace(" ", "") + ",directions="
        + config.swdMultiscaleRepeats() + "x" + config.swdMultiscaleDirections() + ",x1e3";
    for (int l = 0; l < swd.resolutions().length; l++) {
      rows.addOnPixels("swd-multiscale-" + swd.resolutions()[l], swd.perLevel()[l], n, protocol);
    }
    rows.addOnPixels("swd-multiscale", swd.average(), n, protocol);
  }

  /** Rosca et al. 2018's independent critic: W1 estimated on held-out halves; the training halves' gap beside it. */
  private void criticWasserstein(INDArray realPixels, INDArray fakePixels, long n, long seed, Rows rows) {
    if (n < 2) {
      LOG.info("evaluate: critic Wasserstein estimate skipped: needs at least 2 images of each set, got {}", n);
      return;
    }
    CriticWasserstein.Options options =
        CriticWasserstein.Options.wganGp(config.criticSteps(), config.criticBatchSize(), config.criticChannels());
    long started = System.nanoTime();
    CriticWasserstein.Result r = CriticWasserstein.estimate(realPixels, fakePixels, options, seed);
    long[] shape = fakePixels.shape();
    String protocol = "pixels:" + shape[1] + "x" + shape[2] + "x" + shape[3] + ";critic=dcgan-d" + options.channels()
        .toString().replace(" ", "") + ",wgan-gp,lambda=" + options.gpWeight() + ",adam=" + options.optimizer()
        .learningRate() + "/" + options.optimizer().beta1() + "/" + options.optimizer().beta2() + ",steps="
        + options.steps() + ",batch=" + options.batchSize() + ",held-out=" + r.heldOut();
    LOG.info(String.format(java.util.Locale.ROOT, "evaluate: critic Wasserstein estimate %.4f on held-out images "
        + "(%.4f on its training images), %d updates in %.0f s", r.distance(), r.trainDistance(), options.steps(),
        (System.nanoTime() - started) / 1e9));
    rows.addOnPixels("critic-wasserstein", r.distance(), r.heldOut(), protocol);
    rows.addOnPixels("critic-wasserstein-train", r.trainDistance(), n - r.heldOut(), protocol);
  }

  /** The first n images of blocks as [n, C, H, W] in [-1, 1], in index order whatever the partitioning. */
  static INDArray pixels(JavaRDD<ImageBlock> blocks, long n) {
    List<ImageBlock> kept = new ArrayList<>(blocks.filter(b -> b.first() < n).collect());
    kept.sort(Comparator.comparingLong(ImageBlock::first));
    List<RawImage> ordered = new ArrayList<>();
    for (ImageBlock b : kept) {
      if (b.first() != ordered.size()) {
        throw new IllegalStateException("image blocks must be contiguous from 0, got block " + b.first() + " after "
            + ordered.size() + " images");
      }
      ordered.addAll(b.images().subList(0, (int) Math.min(b.size(), n - b.first())));
    }
    if (ordered.size() != n) {
      throw new IllegalStateException("expected " + n + " images, got " + ordered.size());
    }
    return new ImageBlock(0, ordered, null).toModelInput();
  }

  /** Mean per-image likelihood metrics of the first real test images, computed on the executors. */
  private void likelihood(JavaSparkContext sc, Checkpoint checkpoint, byte[] bytes, DataVersion data, boolean ema,
      long seed, int partitions, Rows rows) {
    if (config.likelihoodCount() <= 0 || checkpoint.model().likelihood().isEmpty()) {
      return;
    }
    String protocol = checkpoint.model().likelihood().orElseThrow().protocol();
    long n = Math.min(config.likelihoodCount(), data.count(true));
    sc.setJobDescription("evaluate: likelihood of " + n + " real test images");
    Broadcast<byte[]> shared = sc.broadcast(bytes);
    String key = "generation:" + Hashes.sha256Hex(bytes) + ":" + ema;
    List<Map<String, double[]>> sums = RealImages.firstN(sc, data, true, n, config.batchSize(), partitions)
        .map(block -> ExecutorPool.with(key, () -> Generation.Loaded.of(shared.value(), ema), loaded -> {
          Map<String, double[]> values = loaded.model().likelihood().orElseThrow().perImage(loaded.weights(),
              new Batch(block.toModelInput(), loaded.classes() > 0 ? block.labels() : null),
              new Rng(Seeds.derive(seed, 7, block.first())));
          Map<String, double[]> sum = new TreeMap<>();
          values.forEach((name, v) -> sum.put(name, new double[] {java.util.Arrays.stream(v).sum(), v.length}));
          return sum;
        })).collect();
    Map<String, double[]> total = new TreeMap<>();
    sums.forEach(m -> m.forEach((name, s) -> total.merge(name, s, (a, b) -> new double[] {a[0] + b[0], a[1] + b[1]})));
    total.forEach((name, s) -> rows.addLikelihood(name, s[0] / s[1], (long) s[1], protocol));
  }

  /** eval/nearest-<step>.png (each row: a generated image, then its nearest training images) and .json. */
  private void nearest(JavaSparkContext sc, FileSystem fs, Path runDir, long step, JavaRDD<ImageBlock> images,
      INDArray fake, DataVersion data, RealStats pool, Extractor extractor, int partitions) throws IOException {
    int count = (int) Math.min(config.nearestCount(), fake.size(0));
    int k = (int) Math.min(config.nearestK(), pool.features().size(0));
    INDArray poolFeatures = pool.features();
    INDArray poolNorms = poolFeatures.mul(poolFeatures).sum(1);
    List<long[]> indices = new ArrayList<>();
    List<double[]> distances = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      INDArray q = fake.getRow(i).reshape(1, fake.size(1));
      INDArray d2 = poolNorms.sub(poolFeatures.mmul(q.transpose()).reshape(poolNorms.shape()).muli(2))
          .addi(q.mul(q).sumNumber().doubleValue());
      double[] values = d2.data().asDouble();
      Integer[] order = new Integer[values.length];
      for (int j = 0; j < order.length; j++) {
        order[j] = j;
      }
      java.util.Arrays.sort(order, Comparator.comparingDouble(j -> values[j]));
      long[] idx = new long[k];
      double[] dist = new double[k];
      for (int j = 0; j < k; j++) {
        idx[j] = order[j];
        dist[j] = Math.sqrt(Math.max(0, values[order[j]]));
      }
      indices.add(idx);
      distances.add(dist);
    }
    java.util.Set<Long> wanted = new java.util.TreeSet<>();
    indices.forEach(a -> java.util.Arrays.stream(a).forEach(wanted::add));
    long poolSize = poolFeatures.size(0);
    Map<Long, RawImage> train = new TreeMap<>();
    sc.setJobDescription("evaluate: nearest training images");
    RealImages.firstN(sc, data, false, poolSize, config.batchSize(), partitions).collect().forEach(b -> {
      for (int j = 0; j < b.size(); j++) {
        if (wanted.contains(b.first() + j)) {
          train.put(b.first() + j, b.images().get(j));
        }
      }
    });
    Map<Long, RawImage> generated = new TreeMap<>();
    images.filter(b -> b.first() < count).collect().forEach(b -> {
      for (int j = 0; j < b.size() && b.first() + j < count; j++) {
        generated.put(b.first() + j, b.images().get(j));
      }
    });
    List<RawImage> tiles = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      tiles.add(generated.get((long) i));
      for (long j : indices.get(i)) {
        tiles.add(train.get(j));
      }
    }
    String name = String.format("nearest-%012d", step);
    Path dir = new Path(runDir, "eval");
    HadoopFiles.write(fs, new Path(dir, name + ".png"), ImageCodec.encodePng(ImageGrid.tile(tiles, k + 1, 2, 255)));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("step", step);
    json.put("extractor", extractor.id());
    json.put("extractorHash", extractor.hash());
    json.put("protocol", extractor.protocol());
    json.put("pool", "first " + poolSize + " train images of " + data.uri());
    json.put("trainIndices", indices);
    json.put("distances", distances);
    HadoopFiles.write(fs, new Path(dir, name + ".json"),
        Configs.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * samplers/<sampler>-<steps>.png: the same images (same seeds, same labels) drawn with each option
   * set of evaluate.sampler-grids, with the wall time per image in the .json. A sampler that refuses
   * an option set (a family without it) skips that set.
   */
  private void samplerGrids(JavaSparkContext sc, FileSystem fs, Path runDir, Checkpoint checkpoint, byte[] bytes,
      boolean ema, long seed, int partitions) throws IOException {
    int classes = checkpoint.modelConfig().numClasses();
    for (String spec : config.samplerGrids()) {
      Map<String, String> options = EvaluateConfig.samplerOptions(spec);
      int n = config.samplerGridImages();
      sc.setJobDescription("evaluate: sampler grid " + spec);
      long started = System.nanoTime();
      List<ImageBlock> blocks;
      try {
        blocks = new ArrayList<>(new Generation(seed, ema, -1, options, config.batchSize())
            .generate(sc, bytes, n, Math.min(partitions, n)).collect());
      } catch (Exception e) { // Spark's SparkException is checked but thrown undeclared
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof IllegalArgumentException)) {
          cause = cause.getCause();
        }
        // Locally the executor's exception is the cause; from a cluster only its text arrives.
        boolean refused = cause instanceof IllegalArgumentException
            || String.valueOf(e.getMessage()).contains(IllegalArgumentException.class.getName());
        if (!refused) {
          throw e;
        }
        LOG.info("evaluate: sampler grid {} skipped: {}", spec, cause.getMessage());
        continue;
      }
      double secondsPerImage = (System.nanoTime() - started) / 1e9 / n;
      blocks.sort(Comparator.comparingLong(ImageBlock::first));
      List<RawImage> tiles = new ArrayList<>();
      blocks.forEach(b -> tiles.addAll(b.images()));
      String name = options.get("sampler") + "-" + options.get("steps");
      Path dir = new Path(runDir, "samplers");
      HadoopFiles.write(fs, new Path(dir, name + ".png"), ImageCodec.encodePng(ImageGrid.tile(tiles,
          classes > 0 ? classes : (int) Math.ceil(Math.sqrt(n)), 2, 255)));
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("sampler", options.get("sampler"));
      json.put("steps", Long.parseLong(options.get("steps")));
      json.put("options", options);
      json.put("secondsPerImage", secondsPerImage);
      json.put("seed", seed);
      json.put("step", checkpoint.metadata().step());
      json.put("images", n);
      HadoopFiles.write(fs, new Path(dir, name + ".json"),
          Configs.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json).getBytes(StandardCharsets.UTF_8));
      LOG.info("evaluate: sampler grid {}: {} s per image", name, String.format(java.util.Locale.ROOT, "%.3f",
          secondsPerImage));
    }
  }

  private static String summary(List<MetricRow> rows) {
    StringBuilder s = new StringBuilder();
    for (MetricRow r : rows) {
      s.append(String.format(java.util.Locale.ROOT, "%s%s %.4g", s.length() == 0 ? "" : ", ", r.metric(), r.value()));
    }
    return s.toString();
  }

  /** Builds the metric rows of one checkpoint, with their provenance. */
  private final class Rows {
    final List<MetricRow> all = new ArrayList<>();
    final Path runDir;
    final Checkpoint checkpoint;
    final long step;
    final Extractor extractor;
    final long seed;
    final String evaluationId;
    final long nReal;
    final long nFake;
    final String createdAt = Instant.now().toString();

    Rows(Path runDir, Checkpoint checkpoint, long step, Extractor extractor, long seed, String evaluationId, long nReal,
        long nFake) {
      this.runDir = runDir;
      this.checkpoint = checkpoint;
      this.step = step;
      this.extractor = extractor;
      this.seed = seed;
      this.evaluationId = evaluationId;
      this.nReal = nReal;
      this.nFake = nFake;
    }

    /** The protocol: the extractor's, then how the fake images were drawn, then the metric's own settings. */
    void add(String metric, double value, double std, String settings) {
      String protocol = extractor.protocol() + ";weights=" + config.weights().name().toLowerCase(java.util.Locale.ROOT)
          + ";options=" + new TreeMap<>(config.options()) + (settings.isEmpty() ? "" : ";" + settings);
      all.add(row(metric, value, std, nReal, nFake, extractor.id(), extractor.hash(), protocol));
    }

    /** A metric on pixels: no extractor; n real and n generated images. */
    void addOnPixels(String metric, double value, long n, String settings) {
      String protocol = settings + ";weights=" + config.weights().name().toLowerCase(java.util.Locale.ROOT) + ";options="
          + new TreeMap<>(config.options());
      all.add(row(metric, value, Double.NaN, n, n, "none", "", protocol));
    }

    void addLikelihood(String metric, double value, long n, String protocol) {
      all.add(row(metric, value, Double.NaN, n, 0, "none", "", protocol));
    }

    private MetricRow row(String metric, double value, double std, long real, long fake, String extractorId,
        String extractorHash, String protocol) {
      var meta = checkpoint.metadata();
      long seen = imagesSeen.getOrDefault(step, step * meta.train().batchSize());
      return new MetricRow(runDir.getName(), runDir.toString(), meta.family(), step, seen, metric, value, std, real,
          fake, extractorId, extractorHash, protocol, config.split(), seed, resolved.hash(),
          meta.provenance().dataManifestHash(), meta.provenance().configHash(), Versions.sparkgen(), evaluationId,
          createdAt);
    }
  }
}
