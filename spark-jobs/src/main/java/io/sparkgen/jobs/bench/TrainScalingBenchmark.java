package io.sparkgen.jobs.bench;

import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.fs.Csv;
import io.sparkgen.jobs.shard.ShardJob;
import io.sparkgen.model.Family;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Distributed training throughput against the number of executors (issue 4): the real
 * {@code sparkgen train}, submitted with deploy/spark-submit.sh to a Spark standalone cluster of
 * single-core executor JVMs (started from deploy/standalone/start-cluster.sh on 127.0.0.1 unless a
 * master is given), once per executor count, on the same Fashion-MNIST shard set, seed and
 * configuration. The number of averaging workers is the shard count, fixed for all executor counts,
 * so every count does the same arithmetic and only the parallelism differs. Read from the run's
 * stats table, the first round (executor start-up, native init, graph set-up) excluded: images/s,
 * the share of the round wall time that is not worker compute (broadcast, scheduling, aggregation,
 * the driver's mean: {@code 1 - compute / (executors x wall)}), and the speedup over the first
 * executor count.
 */
public final class TrainScalingBenchmark implements Benchmark {

    static final String EXECUTORS = "executors";
  static final String SHARDS = "shards";
  static final String ROUNDS = "rounds";
  static final String AVERAGING_FREQUENCY = "averaging-frequency";
  static final String BATCH_SIZE = "batch-size";
  static final String MASTER = "master";
  static final String DATASET = "dataset";
  static final String EXECUTOR_MEMORY = "executor-memory";
  static final String ROOT = "root";
  static final String CEILING = "ceiling-seconds";

  private Path shards;

  @Override
  public String name() {
    return "train-scaling";
  }

  @Override
  public String description() {
    return "sparkgen train through spark-submit on 1..N single-core executor JVMs: images/s, non-compute share of "
        + "a round, speedup (minutes per family; run with --repeat 1 --warmup 0)";
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(
        TrainStepBenchmark.familiesParameter(),
        new Parameter(EXECUTORS, "1,2", "executor counts to compare, comma-separated; the first is the baseline"),
        new Parameter(SHARDS, "0", "training shards = averaging workers; 0: 2 x the largest executor count"),
        new Parameter(ROUNDS, "3", "averaging rounds per run; the first is not counted"),
        new Parameter(AVERAGING_FREQUENCY, "16", "local steps per round (train.averaging-frequency; 16 is its default)"),
        new Parameter(BATCH_SIZE, "64", "images per local step (train.batch-size)"),
        new Parameter(MASTER, "", "a spark:// master with at least that many free cores; empty: start a "
            + "standalone cluster of single-core workers on 127.0.0.1 with the deploy/ scripts"),
        new Parameter(DATASET, ShardFashionMnistBenchmark.DEFAULT_DATASET, "directory with Fashion-MNIST's IDX files"),
        new Parameter(EXECUTOR_MEMORY, "2g", "spark-submit --executor-memory"),
        new Parameter(ROOT, ".", "the sparkgen checkout (deploy/ scripts and the built jar)"),
        new Parameter(CEILING, "20", "seconds to time the family's train-step in 1..N concurrent single-threaded "
            + "JVMs without Spark (after as long a warm-up): the machine's own speedup for the model, the most N "
            + "executors can reach; 0: skip"));
  }

  @Override
  public Optional<String> skipReason(BenchContext context) {
    TrainStepBenchmark.families(context); // checks the ids
    List<Integer> executors = context.positiveInts(EXECUTORS);
    shardCount(context, executors);
    if (context.positiveInts(ROUNDS).get(0) < 2) {
      throw new IllegalArgumentException(context.option(ROUNDS) + ": needs at least 2 (the first is not counted)");
    }
    context.positiveInts(AVERAGING_FREQUENCY);
    TrainStepBenchmark.batchSize(context);
    ceilingSeconds(context);
    Path root = root(context);
    for (String script : List.of("deploy/spark-submit.sh", "deploy/standalone/start-cluster.sh",
        "deploy/standalone/stop-cluster.sh", "spark-jobs/target/sparkgen-jobs.jar")) {
      if (!Files.exists(root.resolve(script))) {
        return Optional.of("no " + root.resolve(script) + " (" + context.option(ROOT)
            + " must be a built checkout: mvn -DskipTests package)");
      }
    }
    if (!Files.isDirectory(Path.of(context.param(DATASET)))) {
      return Optional.of("no dataset directory " + context.param(DATASET)
          + " (install the Debian package dataset-fashion-mnist, or pass -P " + name() + "." + DATASET + "=DIR)");
    }
    return Optional.empty();
  }

  @Override
  public List<Measurement> run(BenchContext context) throws Exception {
    List<Integer> executors = context.positiveInts(EXECUTORS);
    int shardCount = shardCount(context, executors);
    Path scratch = context.scratch();
    if (shards == null) {
      shards = shard(context, scratch.resolve("shards"), shardCount);
    }
    String master = context.param(MASTER);
    Path cluster = scratch.resolve("cluster");
    boolean ownCluster = master.isBlank();
    if (ownCluster) {
      int most = executors.stream().mapToInt(Integer::intValue).max().orElseThrow();
      master = script(context, cluster.resolve("start.log"), List.of("deploy/standalone/start-cluster.sh",
          "--workers", String.valueOf(most), "--cores", "1", "--memory", context.param(EXECUTOR_MEMORY),
          "--port", String.valueOf(freePort()), "--dir", cluster.toString())).strip().lines()
          .reduce((a, b) -> b).orElseThrow();
    }
    List<Measurement> out = new ArrayList<>();
    try {
      for (Family<?> family : TrainStepBenchmark.families(context)) {
        Throughput baseline = null;
        double ceilingBaseline = -1;
        for (int n : executors) {
          Throughput t = train(context, master, family.id(), n, shardCount, scratch);
          String detail = String.format(Locale.ROOT, "%s, %d single-core executors, %d workers x %d steps x batch %d "
                  + "per round, rounds 2..%d: %d images in %.1f s wall, %.1f s worker compute, master %s",
              family.id(), n, shardCount, context.positiveInts(AVERAGING_FREQUENCY).get(0),
              TrainStepBenchmark.batchSize(context), t.rounds() + 1, t.images(), t.wall(), t.compute(), master);
          String suffix = " executors=" + n; // the report's scaling section reads the count from the name
          out.add(new Measurement(family.id() + " images" + suffix, t.images() / t.wall(), "images/s", detail));
          out.add(new Measurement(family.id() + " not compute" + suffix, 100 * Math.max(0, 1 - t.compute() / (n * t.wall())), "%",
              "1 - worker compute / (executors x wall): broadcast, scheduling, aggregation, driver"));
          double speedup = 1;
          if (baseline == null) {
            baseline = t;
          } else {
            speedup = (t.images() / t.wall()) / (baseline.images() / baseline.wall());
            out.add(new Measurement(family.id() + " speedup" + suffix, speedup, "x",
                "images/s over " + executors.get(0) + " executor(s)"));
          }
          if (ceilingSeconds(context) > 0) {
            double alone = ceiling(context, family.id(), n, scratch);
            out.add(new Measurement(family.id() + " ceiling images" + suffix, alone, "images/s", String.format(Locale.ROOT,
                "train-step of %s at batch %d in %d concurrent JVM(s) of one ND4J thread each, no Spark: summed images/s",
                family.id(), TrainStepBenchmark.batchSize(context), n)));
            if (ceilingBaseline < 0) {
              ceilingBaseline = alone;
            } else {
              double ceilingSpeedup = alone / ceilingBaseline;
              out.add(new Measurement(family.id() + " ceiling speedup" + suffix, ceilingSpeedup, "x",
                  "the machine's own speedup for this model's compute over " + executors.get(0) + " JVM(s)"));
              out.add(new Measurement(family.id() + " of ceiling" + suffix, 100 * speedup / ceilingSpeedup, "%",
                  "speedup / ceiling speedup: the share of the attainable speedup that training on Spark reaches"));
            }
          }
        }
      }
    } finally {
      if (ownCluster) {
        script(context, cluster.resolve("stop.log"), List.of("deploy/standalone/stop-cluster.sh", "--dir",
            cluster.toString()));
      }
    }
    return out;
  }

  /**
   * Summed images/s of the family's train-step in {@code n} JVMs started together, each with one ND4J
   * thread (OMP_NUM_THREADS=1) and a local[1] master, as n single-core executors compute, without
   * Spark's broadcast and aggregation. A warm-up run as long as the timed one absorbs start-up skew.
   */
  private double ceiling(BenchContext context, String family, int n, Path scratch)
      throws IOException, InterruptedException {
    String seconds = String.valueOf(ceilingSeconds(context));
    List<Process> processes = new ArrayList<>();
    List<Path> outs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Path out = scratch.resolve("ceiling").resolve(family + "-x" + n + "-" + i + "-" + System.nanoTime());
      Files.createDirectories(out);
      ProcessBuilder pb = new ProcessBuilder("bash", "bin/sparkgen", "bench", "--only", "train-step",
          "--master", "local[1]", "--repeat", "1", "--warmup", "1", "--min-time", seconds,
          "-P", "train-step.families=" + family, "-P", "train-step.batch-size=" + TrainStepBenchmark.batchSize(context),
          "--set", "seed=" + context.seed(), "--out", out.toString())
          .directory(root(context).toFile()).redirectErrorStream(true).redirectOutput(out.resolve("bench.log").toFile());
      pb.environment().put("OMP_NUM_THREADS", "1");
      pb.environment().put("SPARKGEN_DRIVER_MEMORY", context.param(EXECUTOR_MEMORY));
      processes.add(pb.start());
      outs.add(out);
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      Path log = outs.get(i).resolve("bench.log");
      if (processes.get(i).waitFor() != 0) {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        throw new IllegalStateException("train-step for the ceiling exited with " + processes.get(i).exitValue()
            + " (log " + log + "):\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
      }
      sum += imagesPerSecond(outs.get(i).resolve(ReportFiles.CSV), family);
    }
    return sum;
  }

  /** The mean of the "FAMILY images" row of a train-step results CSV. */
  static double imagesPerSecond(Path csv, String family) throws IOException {
    List<List<String>> rows = Csv.parse(Files.readString(csv, StandardCharsets.UTF_8));
    List<String> header = rows.get(0);
    for (List<String> row : rows.subList(1, rows.size())) {
      if (row.get(header.indexOf("metric")).equals(family + " images")) {
        return Double.parseDouble(row.get(header.indexOf("mean")));
      }
    }
    throw new IllegalStateException(csv + " has no '" + family + " images' row");
  }

  private static double ceilingSeconds(BenchContext context) {
    double seconds;
    try {
      seconds = Double.parseDouble(context.param(CEILING).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(context.option(CEILING) + ": not a number of seconds");
    }
    if (!(seconds >= 0) || Double.isInfinite(seconds)) {
      throw new IllegalArgumentException(context.option(CEILING) + ": must be >= 0");
    }
    return seconds;
  }

  /** Images, wall and summed worker compute seconds of rounds 2.. of one run. */
  record Throughput(long images, double wall, double compute, int rounds) {}

  private Throughput train(BenchContext context, String master, String family, int executors, int shardCount,
      Path scratch) throws IOException, InterruptedException {
    int frequency = context.positiveInts(AVERAGING_FREQUENCY).get(0);
    int batch = TrainStepBenchmark.batchSize(context);
    int rounds = context.positiveInts(ROUNDS).get(0);
    Path runDir = scratch.resolve("runs").resolve(family + "-x" + executors + "-" + System.nanoTime());
    List<String> command = List.of("deploy/spark-submit.sh", "--master", master,
        "--executor-memory", context.param(EXECUTOR_MEMORY), "--conf", "spark.executor.cores=1",
        "--conf", "spark.cores.max=" + executors, "--",
        "train", "--data", shards.toString(), "--run-dir", runDir.toString(), "--model", family,
        "--batch-size", String.valueOf(batch), "--averaging-frequency", String.valueOf(frequency),
        "--total-images", String.valueOf((long) rounds * shardCount * frequency * batch),
        "--set", "seed=" + context.seed(), "--set", "train.checkpoint-every-rounds=" + rounds);
    script(context, scratch.resolve("logs").resolve(family + "-x" + executors + ".log"), command);
    return throughput(Files.readString(runDir.resolve("stats.csv")), runDir.resolve("stats.csv"));
  }

  /** Sums rounds 2.. of a stats table (header {@code round,step,images_seen,wall_seconds,worker_compute_seconds,...}). */
  static Throughput throughput(String csv, Path file) {
    List<String> lines = csv.lines().filter(l -> !l.isBlank()).toList();
    List<String> header = List.of(lines.get(0).split(","));
    int seen = column(header, "images_seen", file);
    int wall = column(header, "wall_seconds", file);
    int compute = column(header, "worker_compute_seconds", file);
    if (lines.size() < 3) {
      throw new IllegalStateException(file + " has " + (lines.size() - 1) + " rounds; need at least 2");
    }
    long firstSeen = Long.parseLong(lines.get(1).split(",")[seen]);
    long lastSeen = firstSeen;
    double wallSum = 0;
    double computeSum = 0;
    for (String line : lines.subList(2, lines.size())) {
      String[] cells = line.split(",");
      lastSeen = Long.parseLong(cells[seen]);
      wallSum += Double.parseDouble(cells[wall]);
      computeSum += Double.parseDouble(cells[compute]);
    }
    return new Throughput(lastSeen - firstSeen, wallSum, computeSum, lines.size() - 2);
  }

  private static int column(List<String> header, String name, Path file) {
    int i = header.indexOf(name);
    if (i < 0) {
      throw new IllegalStateException(file + " has no column " + name + " (header " + header + ")");
    }
    return i;
  }

  private Path shard(BenchContext context, Path output, int shardCount) throws IOException {
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("-P " + name() + "." + DATASET, "shard.input.paths=[\"" + context.param(DATASET) + "\"]");
    overrides.put("-P " + name() + "." + DATASET + " (format)", "shard.input.format=idx");
    overrides.put("-P " + name() + "." + SHARDS, "shard.shards.train=" + shardCount);
    overrides.put("bench scratch output", "shard.output=\"" + output + "\"");
    ResolvedConfig config = context.configWith(overrides);
    new ShardJob(context.spark(), config).run();
    return output;
  }

  /** Runs {@code bash command} in the checkout, output to {@code log}; returns the output, or throws with its tail. */
  private static String script(BenchContext context, Path log, List<String> command)
      throws IOException, InterruptedException {
    Files.createDirectories(log.getParent());
    List<String> cmd = new ArrayList<>(List.of("bash"));
    cmd.addAll(command);
    Process p = new ProcessBuilder(cmd).directory(root(context).toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    int code = p.waitFor();
    String output = Files.readString(log, StandardCharsets.UTF_8);
    if (code != 0) {
      List<String> lines = output.lines().toList();
      throw new IllegalStateException(String.join(" ", command) + " exited with " + code + " (log " + log + "):\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
    }
    return output;
  }

  private static int shardCount(BenchContext context, List<Integer> executors) {
    int shards = Integer.parseInt(context.param(SHARDS).trim());
    if (shards < 0) {
      throw new IllegalArgumentException(context.option(SHARDS) + ": must be >= 0");
    }
    return shards > 0 ? shards : 2 * executors.stream().mapToInt(Integer::intValue).max().orElseThrow();
  }

  private static Path root(BenchContext context) {
    return Path.of(context.param(ROOT)).toAbsolutePath().normalize();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
