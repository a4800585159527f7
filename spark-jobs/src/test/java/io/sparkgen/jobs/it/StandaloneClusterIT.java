package io.sparkgen.jobs.it;

import static io.sparkgen.jobs.testing.Scripts.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Scripts;
import io.sparkgen.model.checkpoint.Checkpoint;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A real Spark standalone cluster on 127.0.0.1 — a master and two single-core workers, each its own
 * JVM, started by deploy/standalone/start-cluster.sh — and every family trained on it through
 * deploy/spark-submit.sh, each executor in its own JVM.
 */
class StandaloneClusterIT {

  @TempDir static Path tmp;
  private static String master;
  private static Path shards;

  @BeforeAll
  static void startCluster() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Object[] started = run("deploy/standalone/start-cluster.sh", "--workers", "2", "--cores", "1", "--memory", "2g",
        "--port", String.valueOf(port), "--dir", tmp.resolve("cluster").toString());
    assertEquals(0, started[0], (String) started[1]);
    String[] lines = ((String) started[1]).trim().split("\n");
    master = lines[lines.length - 1];
    assertEquals("spark://127.0.0.1:" + port, master);

    Fixtures.idx(tmp.resolve("in"), "train", 96, 8, 8, true);
    shards = tmp.resolve("shards");
    Object[] sharded = run("deploy/spark-submit.sh", "--master", master, "--executor-memory", "1g", "--",
        "shard", "--input", tmp.resolve("in").toString(), "--output", shards.toString(), "--train-shards", "2",
        "--test-fraction", "0");
    assertEquals(0, sharded[0], (String) sharded[1]);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    run("deploy/standalone/stop-cluster.sh", "--dir", tmp.resolve("cluster").toString());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "vae  | {latent-dim = 2, encoder-channels = [4, 4], decoder-base-channels = 4, decoder-channels = [4, 4]}",
      "gan  | {noise-dim = 4, kernel-size = 3, generator-channels = [8, 4, 4], discriminator-channels = [4, 8]}",
      "flow | {steps = 2, hidden-channels = 4}",
      "diffusion | {channels = [4, 8], groups = 4, time-embedding-dim = 8, timesteps = 50, sampler-steps = 5}",
      "vaegan | {latent-dim = 2, encoder-channels = [4, 4], decoder-base-channels = 4, decoder-channels = [4, 4], "
          + "discriminator-kernel-size = 3, discriminator-channels = [4, 8]}",
      // On the vae run above (rows run in order): only the driver reads its checkpoint.
      "latent-diffusion | {autoencoder = \"RUNS/run-vae\", width = 8, blocks = 1, groups = 2, time-feature-dim = 8, "
          + "time-embedding-dim = 8, timesteps = 20, sampler-steps = 4}"})
  void everyFamilyTrainsOnTwoExecutorJvms(String family, String config) throws Exception {
    config = config.replace("RUNS", tmp.toString());
    Path runDir = tmp.resolve("run-" + family);
    Object[] r = run("deploy/spark-submit.sh", "--master", master, "--executor-memory", "1g",
        "--conf", "spark.executor.cores=1", "--conf", "spark.cores.max=2", "--",
        "train", "--model", family, "--data", shards.toString(), "--run-dir", runDir.toString(), "--batch-size", "8",
        "--averaging-frequency", "2", "--total-images", "64", "--set", "train.model.config=" + config);
    assertEquals(0, r[0], (String) r[1]);
    assertTrue(((String) r[1]).contains("trained to step 4"), (String) r[1]);
    List<String> stats = Files.readAllLines(runDir.resolve("stats.csv"));
    assertEquals(3, stats.size());
    assertEquals("2", stats.get(2).split(",")[6], "two workers averaged: " + stats.get(2));
    assertTrue(Files.isRegularFile(runDir.resolve("checkpoints/ckpt-000000000004.zip")));

    // The executors ran in the workers' JVMs: each worker has this application's executor directory.
    for (String worker : List.of("worker-1", "worker-2")) {
      try (Stream<Path> apps = Files.list(tmp.resolve("cluster/work").resolve(worker))) {
        assertTrue(apps.findAny().isPresent(), worker + " launched no executor");
      }
    }
  }

  /**
   * One executor JVM SIGKILLed in the middle of a round (parked at a failpoint inside its local
   * steps): Spark reruns its partition elsewhere, the job completes, every round is averaged over
   * exactly two workers once, and the result equals an undisturbed run on the same cluster.
   */
  @Test
  void anExecutorKilledMidRoundIsReplacedAndNoRoundCountsTwice() throws Exception {
    String config = "{latent-dim = 2, encoder-channels = [4, 4], decoder-base-channels = 4, decoder-channels = [4, 4]}";
    Path reference = tmp.resolve("run-undisturbed");
    Object[] r = run(trainArgs(reference, config, List.of()).toArray(String[]::new));
    assertEquals(0, r[0], (String) r[1]);

    Path park = Files.createDirectories(tmp.resolve("park"));
    Path killed = tmp.resolve("run-executor-killed");
    Path log = tmp.resolve("executor-killed.log");
    Process job = Scripts.start(log, trainArgs(killed, config,
        List.of("--conf", "spark.executorEnv.SPARKGEN_PARK=train.local-step:" + park)).toArray(String[]::new));
    Path pidFile = park.resolve("train.local-step.pid");
    long deadline = System.currentTimeMillis() + 240_000;
    while (!Files.exists(pidFile) && job.isAlive() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(Files.exists(pidFile), "no executor reached the failpoint:\n" + Files.readString(log));
    ProcessHandle executor = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).orElseThrow();
    assertTrue(executor.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"),
        "the parked JVM is an executor: " + executor.info().commandLine());
    executor.destroyForcibly(); // SIGKILL
    assertTrue(job.waitFor(300, TimeUnit.SECONDS), "job did not finish:\n" + Files.readString(log));
    String out = Files.readString(log);
    assertEquals(0, job.exitValue(), out);
    assertTrue(out.contains("trained to step 6"), out);

    List<String> stats = Files.readAllLines(killed.resolve("stats.csv"));
    assertEquals(4, stats.size(), String.join("\n", stats));
    for (int round = 1; round <= 3; round++) {
      String[] cells = stats.get(round).split(",");
      assertEquals(List.of(String.valueOf(round), String.valueOf(2 * round), String.valueOf(32 * round)),
          List.of(cells[0], cells[1], cells[2]), stats.get(round));
      assertEquals("2", cells[6], "each round averages two workers once: " + stats.get(round));
    }
    Map<String, INDArray> expected = Checkpoint.read(reference.resolve("checkpoints/ckpt-000000000006.zip")).arrays().asMap();
    Map<String, INDArray> actual = Checkpoint.read(killed.resolve("checkpoints/ckpt-000000000006.zip")).arrays().asMap();
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach((name, a) -> assertTrue(a.equalsWithEps(actual.get(name), 1e-6), name));
  }

  /**
   * sparkgen retrain twice on the cluster, each run started by the command line of the cron example
   * (deploy/cron/sparkgen-retrain.cron): the first creates version 1; after new files arrive the
   * second shards only them, continues, evaluates and, asked for an impossible margin, rejects.
   */
  @Test
  void retrainRunsTwiceFromTheCronLine() throws Exception {
    Path extractor = trainFeatures("domain.zip");
    Path incoming = tmp.resolve("incoming");
    Fixtures.pngFolder(incoming, 60, 8, 8, 1);
    Path conf = tmp.resolve("retrain.conf");
    Files.writeString(conf, String.join("\n",
        "shard { input { format = image-folder, paths = [\"" + incoming + "\"] }, shards.train = 2, split.test-fraction = 0.3 }",
        "train { model.family = vae, batch-size = 4, averaging-frequency = 2, checkpoint-every-rounds = 2, "
            + "sample-grid-images = 4, model.config { latent-dim = 2, encoder-channels = [4, 4], "
            + "decoder-base-channels = 4, decoder-channels = [4, 4] } }",
        "evaluate { extractor = \"" + extractor + "\", cache-dir = \"" + tmp.resolve("stats") + "\", real-count = 10, "
            + "fake-count = 16, batch-size = 8, kid-subsets = 3, kid-subset-size = 8, fid-inf-min-count = 0, "
            + "likelihood-count = 0, nearest-count = 0 }",
        "retrain { registry = \"" + tmp.resolve("registry") + "\", dataset = \"" + tmp.resolve("dataset") + "\", "
            + "images-per-retrain = 32, metric = fid }"));
    String cronLine = Files.readAllLines(Scripts.ROOT.resolve("deploy/cron/sparkgen-retrain.cron")).stream()
        .filter(l -> !l.startsWith("#") && l.matches("^\\S+ \\S+ \\S+ \\S+ \\S+ .*")).findFirst().orElseThrow();
    String command = cronLine.split("\\s+", 7)[6] // minute hour day month weekday user COMMAND
        .replace("conf/retrain.conf", conf.toString())
        .replaceAll(">>\\s*\\S+", ">> " + tmp.resolve("retrain.log"));
    Map<String, String> env = Map.of("SPARKGEN_HOME", Scripts.ROOT.toString(), "SPARKGEN_MASTER", master,
        "SPARKGEN_SUBMIT_OPTS", "--executor-memory 1g --conf spark.executor.cores=1 --conf spark.cores.max=2");

    Object[] first = Scripts.run(env, "-c", command);
    assertEquals(0, first[0], Files.readString(tmp.resolve("retrain.log")));
    assertTrue(Files.readString(tmp.resolve("retrain.log")).contains("retrain: promoted v000001"),
        Files.readString(tmp.resolve("retrain.log")));

    Fixtures.pngFolder(incoming, 90, 8, 8, 1);
    Object[] second = Scripts.run(env, "-c", command.replace(conf.toString(),
        conf + " --set retrain.margin=1e9"));
    String log = Files.readString(tmp.resolve("retrain.log"));
    assertEquals(0, second[0], log);
    assertTrue(log.contains("retrain: rejected"), log);
    assertTrue(Files.exists(tmp.resolve("dataset/versions/v000002.json")), "new data made dataset version 2");
    try (Stream<Path> versions = Files.list(tmp.resolve("registry/versions"))) {
      assertEquals(1, versions.filter(p -> p.getFileName().toString().matches("v\\d{6}")).count(), log);
    }
    assertEquals(3, Files.readAllLines(tmp.resolve("registry/decisions.csv")).size(), log);
  }

  /**
   * sparkgen evaluate of one checkpoint on one and on two executor JVMs, with the same partitions
   * and separate real-statistics caches: every metric row is the same number.
   */
  @Test
  void evaluateGivesTheSameNumbersOnOneAndTwoExecutors() throws Exception {
    Path extractor = trainFeatures("domain-for-evaluate.zip");
    Path runDir = tmp.resolve("run-evaluated");
    Object[] trained = run(trainArgs(runDir, "{latent-dim = 2, encoder-channels = [4, 4], decoder-base-channels = 4, "
        + "decoder-channels = [4, 4]}", List.of()).toArray(String[]::new));
    assertEquals(0, trained[0], (String) trained[1]);
    for (int executors : new int[] {1, 2}) {
      Object[] r = run("deploy/spark-submit.sh", "--master", master, "--executor-memory", "1g",
          "--conf", "spark.executor.cores=1", "--conf", "spark.cores.max=" + executors, "--",
          "evaluate", "--run", runDir.toString(), "--data", shards.toString(), "--extractor", extractor.toString(),
          "--set", "evaluate.split=train", "--set", "evaluate.cache-dir=" + tmp.resolve("stats-x" + executors),
          "--set", "evaluate.real-count=24", "--set", "evaluate.fake-count=24", "--set", "evaluate.batch-size=8",
          "--set", "evaluate.partitions=3", "--set", "evaluate.kid-subsets=3", "--set", "evaluate.kid-subset-size=8",
          "--set", "evaluate.fid-inf-min-count=0", "--set", "evaluate.likelihood-count=0",
          "--set", "evaluate.nearest-count=0", "--set", "evaluate.sampler-grids=[]");
      assertEquals(0, r[0], (String) r[1]);
    }
    List<List<String>> table = io.sparkgen.jobs.fs.Csv.parse(Files.readString(runDir.resolve("metrics.csv")));
    List<String> header = table.get(0);
    int metric = header.indexOf("metric");
    int value = header.indexOf("value");
    int evaluation = header.indexOf("evaluation_id");
    Map<String, Map<String, Double>> byEvaluation = new java.util.LinkedHashMap<>();
    for (List<String> row : table.subList(1, table.size())) {
      byEvaluation.computeIfAbsent(row.get(evaluation), k -> new java.util.TreeMap<>())
          .put(row.get(metric), Double.parseDouble(row.get(value)));
    }
    assertEquals(2, byEvaluation.size(), "two evaluations: " + byEvaluation.keySet());
    List<Map<String, Double>> runs = new ArrayList<>(byEvaluation.values());
    assertTrue(runs.get(0).keySet().containsAll(List.of("fid", "kid", "precision", "recall", "swd-features")),
        runs.get(0).toString());
    assertEquals(runs.get(0).keySet(), runs.get(1).keySet());
    for (String name : runs.get(0).keySet()) {
      double one = runs.get(0).get(name);
      double two = runs.get(1).get(name);
      assertEquals(one, two, 1e-9 * Math.max(1e-12, Math.abs(one)), name + " on 1 and 2 executors");
    }
  }

  /** A small domain feature network trained on the cluster from the shards, at tmp/{@code name}. */
  private static Path trainFeatures(String name) throws Exception {
    Path extractor = tmp.resolve(name);
    Object[] f = run("deploy/spark-submit.sh", "--master", master, "--executor-memory", "1g", "--",
        "train-features", "--data", shards.toString(), "--out", extractor.toString(), "--epochs", "1",
        "--set", "train-features.channels=[4, 8]");
    assertEquals(0, f[0], (String) f[1]);
    return extractor;
  }

  private static List<String> trainArgs(Path runDir, String config, List<String> extraSubmitOptions) {
    List<String> args = new ArrayList<>(List.of("deploy/spark-submit.sh", "--master", master,
        "--executor-memory", "1g", "--conf", "spark.executor.cores=1", "--conf", "spark.cores.max=2"));
    args.addAll(extraSubmitOptions);
    args.addAll(List.of("--", "train", "--model", "vae", "--data", shards.toString(), "--run-dir", runDir.toString(),
        "--batch-size", "8", "--averaging-frequency", "2", "--total-images", "96",
        "--set", "train.model.config=" + config));
    return args;
  }
}
