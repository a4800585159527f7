package io.sparkgen.jobs.it;

import static io.sparkgen.jobs.testing.Scripts.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.testing.Fixtures;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

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
      "flow | {steps = 2, hidden-channels = 4}"})
  void everyFamilyTrainsOnTwoExecutorJvms(String family, String config) throws Exception {
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
}
