package io.sparkgen.jobs.retrain;

import io.sparkgen.jobs.config.ConfigLoader;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.eval.EvaluateJob;
import io.sparkgen.jobs.eval.MetricRow;
import io.sparkgen.jobs.fs.Failpoints;
import io.sparkgen.jobs.fs.HadoopFiles;
import io.sparkgen.jobs.report.ReportJob;
import io.sparkgen.jobs.shard.DataVersion;
import io.sparkgen.jobs.shard.ShardJob;
import io.sparkgen.jobs.train.RunCheckpoints;
import io.sparkgen.jobs.train.TrainJob;
import io.sparkgen.jobs.train.TrainJobConfig;
import io.sparkgen.model.checkpoint.Checkpoint;
import io.sparkgen.model.config.Configs;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sparkgen retrain}: one idempotent pipeline for a scheduler. Under the registry's lock:
 * <ol>
 *   <li>shard only the input files the dataset does not hold yet, as a new part, and commit the
 *       next dataset version (a part left by a crashed run is appended instead of sharding again);
 *   <li>train a candidate on that version: continuing the current model's checkpoint (or from
 *       scratch) for {@code images-per-retrain} more images;
 *   <li>evaluate the candidate and the current model with the same protocol, seed and real images;
 *   <li>promote the candidate only when it beats the current model by the margin; record the
 *       decision either way;
 *   <li>write the report over the registry's runs.
 * </ol>
 * The candidate's state lives in {@code <registry>/work/candidate.json}, rewritten atomically after
 * each step, so a run killed anywhere and started again continues the same candidate: one new
 * version at most, never two, and no data sharded twice.
 */
public final class RetrainJob {

  private static final Logger LOG = LoggerFactory.getLogger(RetrainJob.class);

  /** What a retrain did. */
  public enum Outcome { PROMOTED, REJECTED, NO_NEW_DATA }

  private final SparkSession spark;
  private final ResolvedConfig resolved;
  private final RetrainConfig config;
  private final Clock clock;
  /** Set when a heartbeat finds the lock taken over (this run was thought dead): stop at the next step. */
  private volatile IOException lockLost;

  public RetrainJob(SparkSession spark, ResolvedConfig resolved, Clock clock) {
    this.spark = spark;
    this.resolved = resolved;
    this.config = resolved.config().retrain();
    this.clock = clock;
  }

  public RetrainJob(SparkSession spark, ResolvedConfig resolved) {
    this(spark, resolved, Clock.systemUTC());
  }

  public Outcome run() throws IOException {
    Path registryRoot = new Path(config.registry());
    FileSystem fs = registryRoot.getFileSystem(spark.sparkContext().hadoopConfiguration());
    registryRoot = fs.makeQualified(registryRoot);
    ModelRegistry registry = new ModelRegistry(fs, registryRoot);
    Duration stale = Duration.ofSeconds(config.lockStaleSeconds());
    try (RegistryLock lock = RegistryLock.acquire(fs, registry.lockFile(), stale, clock)) {
      ScheduledExecutorService heart = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "retrain-heartbeat");
        t.setDaemon(true);
        return t;
      });
      long every = Math.max(1, config.lockStaleSeconds() / 4);
      heart.scheduleAtFixedRate(() -> {
        try {
          lock.heartbeat();
        } catch (IOException e) {
          LOG.error("retrain: heartbeat failed: {}", e.getMessage());
          lockLost = e;
        }
      }, every, every, TimeUnit.SECONDS);
      try {
        return pipeline(fs, registry);
      } finally {
        heart.shutdownNow();
      }
    }
  }

  private Outcome pipeline(FileSystem fs, ModelRegistry registry) throws IOException {
    Path work = new Path(registry.root(), "work");
    Path stateFile = new Path(work, "candidate.json");
    Map<String, Object> state = fs.exists(stateFile) ? read(fs, stateFile) : null;
    OptionalInt current = registry.current();
    if (state == null) {
      Integer dataVersion = newDataVersion(fs);
      if (dataVersion == null && current.isPresent() && trainedOn(registry, current.getAsInt()) < newestDataVersion()) {
        dataVersion = newestDataVersion(); // committed by a run that died before it trained on it
      }
      if (dataVersion == null && current.isPresent()) {
        registry.recordDecision(decision("-", Double.NaN, Double.NaN, false, current.getAsInt(), "no new data"));
        System.out.println("retrain: no new data; current model stays " + ModelRegistry.name(current.getAsInt()));
        return Outcome.NO_NEW_DATA;
      }
      state = new LinkedHashMap<>();
      state.put("id", "c" + Instant.now(clock).toString().replaceAll("[^0-9]", "").substring(0, 14));
      state.put("dataVersion", dataVersion != null ? dataVersion : DataVersion.open(config.dataset(), conf()).version());
      state.put("base", current.isPresent() && !config.fromScratch() ? current.getAsInt() : 0);
      write(fs, stateFile, state);
      Failpoints.hit("retrain-after-data");
    }
    String id = (String) state.get("id");
    String dataFile = versionFile(((Number) state.get("dataVersion")).intValue());
    int base = ((Number) state.get("base")).intValue();
    LOG.info("retrain: candidate {} on dataset version {} from {}", id, state.get("dataVersion"),
        base > 0 ? ModelRegistry.name(base) : "scratch");

    Path run = new Path(work, "run");
    if (!state.containsKey("candidateStep")) {
      train(fs, registry, run, dataFile, base, state);
      state.put("candidateStep", RunCheckpoints.step(RunCheckpoints.newest(fs, run)));
      write(fs, stateFile, state);
    }
    if (!state.containsKey("candidateValue")) {
      state.put("candidateValue", value(evaluate(run, dataFile)));
      write(fs, stateFile, state);
    }
    if (current.isPresent() && !state.containsKey("currentValue")) {
      Path baseRun = new Path(work, "current");
      copyCheckpoint(fs, registry, current.getAsInt(), baseRun);
      state.put("currentValue", value(evaluate(baseRun, dataFile)));
      state.put("currentVersion", current.getAsInt());
      write(fs, stateFile, state);
    }
    double candidate = ((Number) state.get("candidateValue")).doubleValue();
    double incumbent = state.containsKey("currentValue") ? ((Number) state.get("currentValue")).doubleValue() : Double.NaN;
    boolean promote = !state.containsKey("currentValue") || config.better(candidate, incumbent);
    if (!state.containsKey("decided")) {
      int version = 0;
      if (promote) {
        version = versionOf(registry, id);
        if (version == 0) {
          version = addVersion(fs, registry, run, state);
        }
        registry.promote(version);
      }
      String reason = !state.containsKey("currentValue") ? "first model"
          : promote ? String.format(java.util.Locale.ROOT, "%s %.6g beats %.6g by more than %.6g", config.metric(),
              candidate, incumbent, config.margin())
          : String.format(java.util.Locale.ROOT, "%s %.6g does not beat %.6g by more than %.6g", config.metric(),
              candidate, incumbent, config.margin());
      registry.recordDecision(decision(id, candidate, incumbent, promote, version, reason));
      state.put("decided", promote ? "promoted" : "rejected");
      state.put("version", version);
      write(fs, stateFile, state);
      System.out.println("retrain: " + (promote ? "promoted " + ModelRegistry.name(version) : "rejected") + ": " + reason);
    }
    Failpoints.hit("retrain-before-report");
    report(registry, run, id, fs);
    fs.delete(work, true);
    return promote ? Outcome.PROMOTED : Outcome.REJECTED;
  }

  private int newestDataVersion() throws IOException {
    return DataVersion.open(config.dataset(), conf()).version();
  }

  /** The dataset version a registry version was trained on (0 when it does not say). */
  private static int trainedOn(ModelRegistry registry, int version) throws IOException {
    Object v = registry.describe(version).get("dataVersion");
    return v instanceof Number n ? n.intValue() : 0;
  }

  /** Shards new input files as the next dataset part and commits the next version; null when nothing is new. */
  private Integer newDataVersion(FileSystem fs) throws IOException {
    Path root = fs.makeQualified(new Path(config.dataset()));
    Path versions = new Path(root, DataVersion.VERSIONS);
    boolean exists = fs.exists(versions) && fs.listStatus(versions).length > 0;
    Path parts = new Path(root, "parts");
    Set<String> referenced = exists ? partsOf(fs, DataVersion.open(root.toString(), conf())) : Set.of();
    if (fs.exists(parts)) {
      for (FileStatus part : fs.listStatus(parts, p -> !p.getName().startsWith("."))) {
        String name = "parts/" + part.getPath().getName();
        if (!referenced.contains(name) && fs.exists(new Path(part.getPath(), "manifest.json"))) {
          LOG.info("retrain: appending {} left by an earlier run", name);
          return DataVersion.append(fs, root, name);
        }
      }
    }
    String name = "parts/part-" + Instant.now(clock).toString().replaceAll("[^0-9]", "").substring(0, 14);
    List<String> overrides = new ArrayList<>(List.of("shard.output=\"" + new Path(root, name) + "\"",
        "shard.overwrite=false"));
    if (exists) {
      overrides.add("shard.skip-files-in=\"" + root + "\"");
    }
    try {
      new ShardJob(spark, sub(overrides)).run();
    } catch (ShardJob.NothingNewException e) {
      LOG.info("retrain: {}", e.getMessage());
      return null;
    }
    Failpoints.hit("retrain-after-shard");
    return DataVersion.append(fs, root, name);
  }

  /** The part names (relative to the dataset root) the version lists. */
  private static Set<String> partsOf(FileSystem fs, DataVersion version) throws IOException {
    Set<String> names = new TreeSet<>();
    Object parts = read(fs, new Path(version.uri())).get("parts");
    ((List<?>) parts).forEach(p -> names.add(String.valueOf(p)));
    return names;
  }

  private void train(FileSystem fs, ModelRegistry registry, Path run, String dataFile, int base,
      Map<String, Object> state) throws IOException {
    TrainJobConfig train = resolved.config().train();
    DataVersion data = DataVersion.open(dataFile, conf());
    long imagesPerRound = (long) data.shardCount(false) * train.averagingFrequency() * train.batchSize();
    long extraRounds = (config.imagesPerRetrain() + imagesPerRound - 1) / imagesPerRound;
    if (!state.containsKey("targetImages")) {
      long startRound = 0;
      if (base > 0 && RunCheckpoints.newest(fs, run) == null) {
        startRound = copyCheckpoint(fs, registry, base, run) / train.averagingFrequency();
      }
      state.put("targetImages", (startRound + extraRounds) * imagesPerRound);
      write(fs, new Path(run.getParent(), "candidate.json"), state);
    }
    boolean resume = RunCheckpoints.newest(fs, run) != null;
    Failpoints.hit("retrain-before-train");
    new TrainJob(spark, sub(List.of("train.data=\"" + dataFile + "\"", "train.run-dir=\"" + run + "\"",
        "train.total-images=" + state.get("targetImages"), "train.resume=" + resume))).run();
  }

  /** Copies a registry version's checkpoint into a run directory's checkpoints; returns its step. */
  private long copyCheckpoint(FileSystem fs, ModelRegistry registry, int version, Path runDir) throws IOException {
    byte[] bytes;
    try (InputStream in = fs.open(registry.checkpoint(version))) {
      bytes = in.readAllBytes();
    }
    long step = Checkpoint.read(new java.io.ByteArrayInputStream(bytes), registry.checkpoint(version).toString())
        .metadata().step();
    HadoopFiles.write(fs, RunCheckpoints.path(runDir, step), bytes);
    return step;
  }

  private List<MetricRow> evaluate(Path run, String dataFile) throws IOException {
    return new EvaluateJob(spark, sub(List.of("evaluate.run=\"" + run + "\"", "evaluate.checkpoints=latest",
        "evaluate.data=\"" + dataFile + "\""))).run();
  }

  private double value(List<MetricRow> rows) {
    return rows.stream().filter(r -> r.metric().equals(config.metric())).mapToDouble(MetricRow::value).findFirst()
        .orElseThrow(() -> new IllegalStateException("the evaluation gave no " + config.metric()
            + "; choose a metric the extractor provides"));
  }

  private int addVersion(FileSystem fs, ModelRegistry registry, Path run, Map<String, Object> state) throws IOException {
    Path newest = RunCheckpoints.newest(fs, run);
    byte[] bytes;
    try (InputStream in = fs.open(newest)) {
      bytes = in.readAllBytes();
    }
    Map<String, Object> description = new LinkedHashMap<>();
    description.put("candidate", state.get("id"));
    description.put("dataset", config.dataset());
    description.put("dataVersion", state.get("dataVersion"));
    description.put("base", state.get("base"));
    description.put("metric", config.metric());
    description.put("value", state.get("candidateValue"));
    description.put("previousValue", state.get("currentValue"));
    description.put("protocolConfigHash", resolved.hash());
    description.put("createdAt", Instant.now(clock).toString());
    return registry.add(bytes, description);
  }

  /** The version created from candidate {@code id}, or 0 (a crash may have come after adding it). */
  private static int versionOf(ModelRegistry registry, String id) throws IOException {
    for (int v : registry.versions()) {
      if (id.equals(registry.describe(v).get("candidate"))) {
        return v;
      }
    }
    return 0;
  }

  /** Moves the candidate's run to {@code <registry>/runs/<id>} and writes the report over all of them. */
  private void report(ModelRegistry registry, Path run, String id, FileSystem fs) throws IOException {
    Path runs = new Path(registry.root(), "runs");
    Path archive = new Path(runs, id);
    fs.mkdirs(runs);
    if (!fs.exists(archive) && fs.exists(run)) {
      fs.rename(run, archive);
    }
    new ReportJob(spark, sub(List.of("report.runs=[\"" + runs + "\"]", "report.output=\"" + new Path(registry.root(),
        "report") + "\"", "report.overwrite=true", "report.title=\"sparkgen registry " + registry.root().getName() + "\"")))
        .run();
  }

  private List<String> decision(String id, double candidate, double current, boolean promoted, int version,
      String reason) {
    return List.of(Instant.now(clock).toString(), id, config.metric(), Double.toString(candidate),
        Double.toString(current), Double.toString(config.margin()), Boolean.toString(promoted),
        version > 0 ? ModelRegistry.name(version) : "", reason);
  }

  /** This run's configuration with {@code overrides} on top (the sub-jobs' locations). */
  private ResolvedConfig sub(List<String> overrides) throws IOException {
    File file = File.createTempFile("sparkgen-retrain", ".conf");
    try {
      Files.writeString(file.toPath(), resolved.render(), StandardCharsets.UTF_8);
      return ConfigLoader.load(List.of(file), overrides, Map.of());
    } finally {
      Files.deleteIfExists(file.toPath());
    }
  }

  private String versionFile(int version) {
    return new Path(new Path(config.dataset(), DataVersion.VERSIONS), String.format("v%06d.json", version)).toString();
  }

  private org.apache.hadoop.conf.Configuration conf() {
    return spark.sparkContext().hadoopConfiguration();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> read(FileSystem fs, Path file) throws IOException {
    try (InputStream in = fs.open(file)) {
      return new LinkedHashMap<>(Configs.MAPPER.readValue(in.readAllBytes(), Map.class));
    }
  }

  private void write(FileSystem fs, Path file, Map<String, Object> state) throws IOException {
    if (lockLost != null) {
      throw new IOException("retrain: the registry lock was lost (" + lockLost.getMessage() + "); stopping before "
          + "recording more progress", lockLost);
    }
    HadoopFiles.write(fs, file, Configs.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
  }
}
