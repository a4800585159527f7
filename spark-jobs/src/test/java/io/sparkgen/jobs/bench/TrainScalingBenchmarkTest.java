package io.sparkgen.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainScalingBenchmarkTest {

  private static final Path FILE = Path.of("run/stats.csv");

  @Test
  void throughputLeavesOutTheFirstRound() {
    String csv = """
        round,step,images_seen,wall_seconds,worker_compute_seconds,images_per_second,workers,loss
        1,16,2048,30.000,20.000,68.27,2,1.5
        2,32,4096,10.000,18.000,204.80,2,1.4
        3,48,6144,12.000,19.000,170.67,2,1.3
        """;
    TrainScalingBenchmark.Throughput t = TrainScalingBenchmark.throughput(csv, FILE);
    assertEquals(4096, t.images());
    assertEquals(22.0, t.wall(), 1e-12);
    assertEquals(37.0, t.compute(), 1e-12);
    assertEquals(2, t.rounds());
  }

  @Test
  void aRunOfOneRoundCannotBeMeasured() {
    String csv = "round,step,images_seen,wall_seconds,worker_compute_seconds\n1,16,2048,30,20\n";
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TrainScalingBenchmark.throughput(csv, FILE));
    assertTrue(e.getMessage().contains("run/stats.csv has 1 rounds"), e.getMessage());
  }

  @Test
  void aTableWithoutTheColumnsIsNamed() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TrainScalingBenchmark.throughput("round,step\n1,2\n2,4\n3,6\n", FILE));
    assertTrue(e.getMessage().contains("no column images_seen"), e.getMessage());
  }

  @Test
  void theCeilingReadsTheFamilysImagesRowOfATrainStepRun(@TempDir Path tmp) throws IOException {
    Path csv = Files.writeString(tmp.resolve("results.csv"), """
        run_id,benchmark,metric,mean,unit
        r1,train-step,flow images,23.5,images/s
        r1,train-step,vae images,211.25,images/s
        r1,train-step,vae achieved,3.1,GFLOP/s
        """);
    assertEquals(211.25, TrainScalingBenchmark.imagesPerSecond(csv, "vae"), 0.0);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TrainScalingBenchmark.imagesPerSecond(csv, "gan"));
    assertTrue(e.getMessage().contains("has no 'gan images' row"), e.getMessage());
  }

  @Test
  void aNegativeCeilingTimeIsAUsageErrorNamingTheOption(@TempDir Path tmp) {
    BenchCommandTest.Result r = BenchCommandTest.sparkgen("bench", "--only", "train-scaling",
        "-P", "train-scaling.ceiling-seconds=-1", "--out", tmp.resolve("results").toString());
    assertTrue(r.code() != 0, r.out());
    assertTrue(r.err().contains("-P train-scaling.ceiling-seconds=-1: must be >= 0"), r.err());
  }

  @Test
  void itIsRegistered() {
    assertTrue(Benchmarks.DEFAULT.names().contains("train-scaling"));
  }
}
