package io.sparkgen.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkgen.jobs.config.ConfigError;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.fs.HadoopFiles;
import io.sparkgen.jobs.image.ImageCodec;
import io.sparkgen.jobs.image.ImageGrid;
import io.sparkgen.jobs.shard.DataVersion;
import io.sparkgen.jobs.shard.ShardImages;
import io.sparkgen.jobs.shard.ShardManifest;
import io.sparkgen.jobs.spark.Eta;
import io.sparkgen.jobs.spark.SparkSessions;
import io.sparkgen.model.Families;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.checkpoint.Checkpoint;
import io.sparkgen.model.checkpoint.CheckpointMismatchException;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.random.Seeds;
import io.sparkgen.model.train.ImageDataset;
import io.sparkgen.model.train.LocalTrainer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sparkgen train}: rounds of {@link ParameterAveraging} over a shard set's training shards
 * (one worker per shard), with a run directory holding the resolved config, a stats table (one row
 * per round), checkpoints and sample grids every K rounds, and resume from the newest checkpoint.
 * Nothing here depends on the family: it is a name and a config for {@link ModelSpec}.
 */
public final class TrainJob {

  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  private final SparkSession spark;
  private final ResolvedConfig resolved;
  private final TrainJobConfig config;

  public TrainJob(SparkSession spark, ResolvedConfig resolved) {
    this.spark = spark;
    this.resolved = resolved;
    this.config = resolved.config().train();
  }

  /** Trains to {@code total-images}; returns the final averaged state. */
  public AveragedState run() throws IOException {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    DataVersion data = DataVersion.open(config.data(), sc.hadoopConfiguration());
    ModelSpec configured = modelSpec(data);
    Path runDir = new Path(config.runDir());
    FileSystem fs = runDir.getFileSystem(sc.hadoopConfiguration());
    runDir = fs.makeQualified(runDir);

    sc.setJobDescription("train: load " + data.shardCount(false) + " training shards");
    JavaRDD<ShardImages> shards = data.load(sc, false).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      ImageDataset head = shards.first().head(config.batchSize()).toDataset(data.sha256());
      InitialModel initial = InitialModel.create(configured, sc.hadoopConfiguration(), head);
      ModelSpec spec = initial.spec();
      LocalTrainer driver = new LocalTrainer(initial.model(), spec.trainConfig(), head, 0L, 0L);
      int workers = shards.getNumPartitions();
      long imagesPerRound = (long) workers * config.averagingFrequency() * config.batchSize();
      long rounds = (config.totalImages() + imagesPerRound - 1) / imagesPerRound;

      Stats stats = new Stats();
      long startRound = prepareRunDir(fs, runDir, driver, stats);
      AveragedState state = AveragedState.of(driver);
      LOG.info("train: {} on {} ({} workers, {} images/round), rounds {}..{}, run dir {}", spec.family(),
          config.data(), workers, imagesPerRound, startRound + 1, rounds, runDir);

      long started = System.nanoTime();
      for (long round = startRound; round < rounds; round++) {
        sc.setJobDescription(String.format("train: round %d/%d", round + 1, rounds));
        long roundStarted = System.nanoTime();
        StateSum sum = ParameterAveraging.round(sc, shards, spec, data.sha256(), state,
            config.averagingFrequency());
        AveragedState next = sum.mean(state.step() + config.averagingFrequency());
        double wall = (System.nanoTime() - roundStarted) / 1e9;
        SortedMap<String, Double> metrics = sum.meanMetrics();
        checkFinite(round + 1, metrics, next);
        state = next;
        stats.add(round + 1, state.step(), (round + 1) * imagesPerRound, wall, sum, metrics);
        HadoopFiles.write(fs, new Path(runDir, "stats.csv"), stats.csv().getBytes(StandardCharsets.UTF_8));

        double elapsed = (System.nanoTime() - started) / 1e9;
        double eta = elapsed / (round + 1 - startRound) * (rounds - round - 1);
        LOG.info(String.format(Locale.ROOT,
            "[train %d/%d] step %d, %s, %.1f images/s, not computing %.0f%% of the round, ETA %s", round + 1, rounds, state.step(), format(metrics), sum.images() / wall,
            100 * Math.max(0, wall - sum.computeSeconds() / Math.min(sum.workers(), SparkSessions.taskSlots(sc.sc()))) / wall,
            Eta.format(eta)));
        if ((round + 1) % config.checkpointEveryRounds() == 0 || round + 1 == rounds) {
          state.restoreInto(driver);
          writeCheckpoint(fs, runDir, driver, spec);
        }
      }
      return state;
    } finally {
      shards.unpersist(false);
    }
  }

  /**
   * The family's config: the user's overrides (kebab-case keys accepted), the image shape of the
   * data, and the class count of the data when conditional.
   */
  ModelSpec modelSpec(DataVersion data) {
    TrainJobConfig.Model model = config.model();
    ObjectNode json = Configs.MAPPER.valueToTree(camelCase(model.config()));
    ShardManifest.Shape shape = data.shape();
    ObjectNode image = Configs.MAPPER.createObjectNode();
    image.put("channels", shape.channels()).put("height", shape.height()).put("width", shape.width());
    json.set("image", image);
    if (model.conditional()) {
      int classes = data.classCount();
      if (classes <= 0) {
        throw new ConfigError("train.model.conditional = true, but " + config.data() + " has no labels");
      }
      json.put("numClasses", classes);
    }
    try {
      return new ModelSpec(model.family(), Configs.MAPPER.writeValueAsString(json), resolved.config().seed(),
          config.batchSize(), config.totalImages(), config.emaHalfLifeImages());
    } catch (IllegalArgumentException e) {
      throw new ConfigError("train.model (family " + model.family() + "): " + e.getMessage(), e);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Creates the run directory, or finds the checkpoint to resume from; returns the first round to run. */
  private long prepareRunDir(FileSystem fs, Path runDir, LocalTrainer driver, Stats stats) throws IOException {
    Path newest = RunCheckpoints.newest(fs, runDir);
    if (config.resume()) {
      if (newest == null) {
        throw new ConfigError("train.resume = true, but " + runDir + " holds no complete checkpoint");
      }
      Checkpoint checkpoint;
      try (InputStream in = fs.open(newest)) {
        checkpoint = Checkpoint.read(in, newest.toString());
      }
      try {
        checkpoint.restoreInto(driver);
      } catch (CheckpointMismatchException e) {
        throw new ConfigError("cannot resume from " + newest + ": the configured model differs from the checkpoint's ("
            + differences(checkpoint.metadata().config(), Configs.MAPPER.valueToTree(driver.model().config()))
            + "); resume with the checkpoint's train.model settings, or start a new train.run-dir", e);
      }
      ModelConfig stored = Families.byId(checkpoint.metadata().family()).readConfig(checkpoint.metadata().config());
      String changed = modelDifferences(stored, driver.model().config());
      if (!changed.isEmpty()) {
        throw new ConfigError("cannot resume from " + newest + ": the configured model differs from the checkpoint's ("
            + changed + "); resume with the checkpoint's train.model settings, or start a new train.run-dir");
      }
      if (!stored.equals(driver.model().config())) {
        LOG.info("train: resuming with other optimizer settings than the checkpoint's: {}",
            differences(Configs.MAPPER.valueToTree(stored), Configs.MAPPER.valueToTree(driver.model().config())));
      }
      if (driver.stepCount() % config.averagingFrequency() != 0) {
        throw new ConfigError("checkpoint " + newest + " is at step " + driver.stepCount()
            + ", not a multiple of train.averaging-frequency = " + config.averagingFrequency());
      }
      Path statsFile = new Path(runDir, "stats.csv");
      if (fs.exists(statsFile)) {
        try (InputStream in = fs.open(statsFile)) {
          stats.keepUpTo(new String(in.readAllBytes(), StandardCharsets.UTF_8), driver.stepCount());
        }
      }
      LOG.info("train: resuming from {} (step {})", newest, driver.stepCount());
      return driver.stepCount() / config.averagingFrequency();
    }
    if (newest != null) {
      throw new ConfigError("run directory " + runDir + " already holds checkpoints; pass --resume to continue it"
          + " or choose another train.run-dir");
    }
    fs.mkdirs(new Path(runDir, "checkpoints"));
    fs.mkdirs(new Path(runDir, "samples"));
    HadoopFiles.write(fs, new Path(runDir, "config.conf"), resolved.render().getBytes(StandardCharsets.UTF_8));
    return 0;
  }

  /** Checkpoint (written locally, then published atomically) and a sample grid from the EMA weights. */
  private void writeCheckpoint(FileSystem fs, Path runDir, LocalTrainer driver, ModelSpec spec) throws IOException {
    HadoopFiles.write(fs, RunCheckpoints.path(runDir, driver.stepCount()), Checkpoint.toBytes(driver));
    int n = config.sampleGridImages();
    int classes = driver.model().config().numClasses();
    int[] labels = null;
    if (classes > 0) {
      labels = new int[n];
      for (int i = 0; i < n; i++) {
        labels[i] = i % classes;
      }
    }
    long samplingSeed = Seeds.derive(resolved.config().seed(), driver.stepCount());
    var images = driver.model().sampler().sample(driver.ema(), new SampleRequest(samplingSeed, 0, n, labels));
    int columns = classes > 0 ? classes : (int) Math.ceil(Math.sqrt(n));
    byte[] png = ImageCodec.encodePng(ImageGrid.tile(ImageGrid.fromModelOutput(images), columns, 2, 255));
    HadoopFiles.write(fs, new Path(runDir, String.format("samples/samples-%012d.png", driver.stepCount())), png);
    LOG.info("train: checkpoint {} and sample grid written", RunCheckpoints.path(runDir, driver.stepCount()));
  }

  /**
   * How two model configs differ other than in their optimizer settings (components of type
   * {@link AdamConfig}, which a resumed run may change, as retrain's fine-tuning does), or "" when
   * they do not. Equal arrays are not the same model: a loss or a noise schedule changes training too.
   */
  static String modelDifferences(ModelConfig checkpoint, ModelConfig now) {
    ObjectNode a = Configs.MAPPER.valueToTree(checkpoint);
    ObjectNode b = Configs.MAPPER.valueToTree(now);
    for (ModelConfig c : List.of(checkpoint, now)) {
      for (java.lang.reflect.RecordComponent component : c.getClass().getRecordComponents()) {
        if (component.getType() == AdamConfig.class) {
          a.remove(component.getName());
          b.remove(component.getName());
        }
      }
    }
    return a.equals(b) ? "" : differences(a, b);
  }

  /** The config fields that differ, as "name: checkpoint A, now B", for the refusal message. */
  static String differences(JsonNode checkpoint, JsonNode now) {
    List<String> out = new ArrayList<>();
    java.util.SortedSet<String> names = new java.util.TreeSet<>();
    checkpoint.fieldNames().forEachRemaining(names::add);
    now.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      JsonNode a = checkpoint.get(name);
      JsonNode b = now.get(name);
      if (a == null || !a.equals(b)) {
        out.add(name + ": checkpoint " + a + ", now " + b);
      }
    }
    return out.isEmpty() ? "same config, different array layout" : String.join("; ", out);
  }

  private static void checkFinite(long round, Map<String, Double> metrics, AveragedState state) {
    for (Map.Entry<String, Double> m : metrics.entrySet()) {
      if (!Double.isFinite(m.getValue())) {
        throw new DivergedException("round " + round + ": metric " + m.getKey() + " is " + m.getValue()
            + "; stopped, the newest checkpoint is the last good state");
      }
    }
    for (Map.Entry<String, float[]> a : state.values().entrySet()) {
      for (float v : a.getValue()) {
        if (!Float.isFinite(v)) {
          throw new DivergedException("round " + round + ": array " + a.getKey() + " holds " + v
              + "; stopped, the newest checkpoint is the last good state");
        }
      }
    }
  }

  private static String format(Map<String, Double> metrics) {
    List<String> parts = new ArrayList<>();
    metrics.forEach((k, v) -> parts.add(String.format(Locale.ROOT, "%s %.4g", k, v)));
    return String.join(", ", parts);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> camelCase(Map<String, Object> tree) {
    Map<String, Object> out = new TreeMap<>();
    tree.forEach((k, v) -> {
      Object value = v instanceof Map<?, ?> m ? camelCase((Map<String, Object>) m) : v;
      StringBuilder key = new StringBuilder();
      boolean upper = false;
      for (char c : k.toCharArray()) {
        if (c == '-') {
          upper = true;
        } else {
          key.append(upper ? Character.toUpperCase(c) : c);
          upper = false;
        }
      }
      out.put(key.toString(), value);
    });
    return out;
  }

  /** Training produced a non-finite loss or parameter. */
  public static final class DivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DivergedException(String message) {
      super(message);
    }
  }

  /** The stats table: one row per round, metric columns in name order. */
  static final class Stats {
    private static final String FIXED = "round,step,images_seen,wall_seconds,worker_compute_seconds,images_per_second,workers";
    private final List<String> rows = new ArrayList<>();
    private String metricHeader;

    void add(long round, long step, long imagesSeen, double wall, StateSum sum, SortedMap<String, Double> metrics) {
      String header = String.join(",", metrics.keySet());
      if (metricHeader == null) {
        metricHeader = header;
      }
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%d,%d,%d,%.3f,%.3f,%.2f,%d", round, step,
          imagesSeen, wall, sum.computeSeconds(), sum.images() / wall, sum.workers()));
      metrics.values().forEach(v -> row.append(',').append(v));
      rows.add(row.toString());
    }

    /** Keeps the rows of an earlier run up to {@code step} (a resumed run rewrites what came after). */
    void keepUpTo(String csv, long step) {
      String[] lines = csv.split("\n");
      if (lines.length == 0 || !lines[0].startsWith(FIXED)) {
        return;
      }
      metricHeader = lines[0].length() > FIXED.length() ? lines[0].substring(FIXED.length() + 1) : "";
      for (int i = 1; i < lines.length; i++) {
        String[] cells = lines[i].split(",");
        if (cells.length > 1 && Long.parseLong(cells[1]) <= step) {
          rows.add(lines[i]);
        }
      }
    }

    String csv() {
      StringBuilder out = new StringBuilder(FIXED);
      if (metricHeader != null && !metricHeader.isEmpty()) {
        out.append(',').append(metricHeader);
      }
      out.append('\n');
      rows.forEach(r -> out.append(r).append('\n'));
      return out.toString();
    }
  }
}
