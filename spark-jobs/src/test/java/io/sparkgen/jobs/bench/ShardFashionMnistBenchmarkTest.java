package io.sparkgen.jobs.bench;

import static io.sparkgen.jobs.bench.BenchCommandTest.sparkgen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.fs.Csv;
import io.sparkgen.jobs.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The end-to-end shard benchmark on a tiny Fashion-MNIST look-alike, and its skip when data is absent. */
class ShardFashionMnistBenchmarkTest {

  @TempDir Path tmp;

  @Test
  void runsTheShardJobOnTheDatasetAndReportsWallTimeAndThroughput() throws IOException {
    Path data = tmp.resolve("fashion");
    Fixtures.idx(data, "train", 40, 28, 28, true);
    Fixtures.idx(data, "t10k", 10, 28, 28, true);
    Path out = tmp.resolve("results");
    BenchCommandTest.Result r = sparkgen("bench", "--only", "shard-fashion-mnist", "--master", "local[2]",
        "-P", "shard-fashion-mnist.dataset=" + data, "--repeat", "1", "--warmup", "0", "--out", out.toString());
    assertEquals(0, r.code(), r.err());

    List<List<String>> csv = Csv.parse(Files.readString(out.resolve(ReportFiles.CSV)));
    List<String> header = csv.get(0);
    assertEquals(3, csv.size(), csv.toString());
    List<String> wall = csv.get(1);
    List<String> throughput = csv.get(2);
    assertEquals(List.of("wall", "s"), List.of(wall.get(header.indexOf("metric")), wall.get(header.indexOf("unit"))));
    assertEquals("images/s", throughput.get(header.indexOf("unit")));
    double seconds = Double.parseDouble(wall.get(header.indexOf("mean")));
    double rate = Double.parseDouble(throughput.get(header.indexOf("mean")));
    assertTrue(seconds > 0 && Double.isFinite(seconds), wall.toString());
    assertEquals(50 / seconds, rate, 1e-4 * rate); // 40 + 10 images
    assertTrue(wall.get(header.indexOf("detail")).startsWith("50 images ("), wall.toString());
    assertEquals("local[2]", wall.get(header.indexOf("spark_master")));
  }

  @Test
  void anAbsentDatasetIsSkippedWithAClearMessage() throws IOException {
    Path out = tmp.resolve("results");
    Path absent = tmp.resolve("absent");
    BenchCommandTest.Result r = sparkgen("bench", "--only", "shard-fashion-mnist",
        "-P", "shard-fashion-mnist.dataset=" + absent, "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    String expected = "- **shard-fashion-mnist** skipped: no dataset directory " + absent
        + " (install the Debian package dataset-fashion-mnist, or pass -P shard-fashion-mnist.dataset=DIR)";
    assertTrue(r.out().contains(expected), r.out());
    assertEquals(List.of(BenchReport.csvHeader()), Csv.parse(Files.readString(out.resolve(ReportFiles.CSV))));

    Files.createDirectories(absent);
    r = sparkgen("bench", "--only", "shard-fashion-mnist", "-P", "shard-fashion-mnist.dataset=" + absent,
        "--dry-run");
    assertTrue(r.out().contains("[would be skipped: no *-images-idx3-ubyte[.gz] file in " + absent), r.out());
  }
}
