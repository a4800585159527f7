package io.sparkgen.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.Main;
import io.sparkgen.jobs.cli.ErrorHandler;
import io.sparkgen.jobs.fs.Csv;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sparkgen bench} as users call it: --help, --list, --dry-run, option errors and tiny real runs. */
class BenchCommandTest {

  @TempDir Path tmp;

  record Result(int code, String out, String err) {}

  static Result sparkgen(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(new ErrorHandler());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void helpListsTheOptions() {
    Result r = sparkgen("bench", "--help");
    assertEquals(0, r.code(), r.err());
    for (String option : List.of("--list", "--only", "--out", "--repeat", "--warmup", "--min-time", "--peak-gflops",
        "--param", "--dry-run", "--conf", "--set", "--master")) {
      assertTrue(r.out().contains(option), option + " missing from:\n" + r.out());
    }
    assertTrue(sparkgen("--help").out().contains("bench"));
  }

  @Test
  void listNamesEveryBenchmarkAndParameter() {
    Result r = sparkgen("bench", "--list");
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).startsWith("nd4j-sgemm  "), r.out());
    assertTrue(lines.get(1).contains("-P nd4j-sgemm.sizes=512,1024,2048"), r.out());
    assertTrue(lines.get(2).startsWith("image-codec  "), r.out());
    assertTrue(lines.get(3).startsWith("shard-fashion-mnist  "), r.out());
    assertTrue(lines.get(4).contains("-P shard-fashion-mnist.dataset=/usr/share/datasets/fashion-mnist"), r.out());
  }

  @Test
  void dryRunPrintsTheConfigAndThePlanAndWritesNothing() {
    Path out = tmp.resolve("results");
    Result r = sparkgen("bench", "--dry-run", "--only", "image-codec,shard-fashion-mnist", "--repeat", "5",
        "--set", "seed=11", "-P", "shard-fashion-mnist.dataset=" + tmp.resolve("absent"), "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("seed = 11"), r.out());
    assertTrue(r.out().contains("# config hash: "), r.out());
    assertTrue(r.out().contains("#   image-codec\n"), r.out());
    assertTrue(r.out().contains("#   shard-fashion-mnist -P shard-fashion-mnist.dataset=" + tmp.resolve("absent")
        + "  [would be skipped: no dataset directory " + tmp.resolve("absent")), r.out());
    assertTrue(r.out().contains("# each 1 warmup + 5 timed runs"), r.out());
    assertTrue(r.out().contains("# report: " + out.resolve("<UTC time>.md")), r.out());
    assertFalse(r.out().contains("nd4j-sgemm"), r.out());
    assertFalse(Files.exists(out));
  }

  @Test
  void badOptionsNameTheOptionAndExitWithUsage() {
    assertUsageError("--repeat 0: must be >= 1", "--repeat", "0");
    assertUsageError("--warmup -1: must be >= 0", "--warmup", "-1");
    assertUsageError("--peak-gflops 0.0: must be a positive number", "--peak-gflops", "0");
    assertUsageError("--min-time -1.0: must be a positive number of seconds", "--min-time", "-1");
    assertUsageError("--only nope: no such benchmark; known: " + String.join(", ", Benchmarks.DEFAULT.names()),
        "--only", "nope");
    assertUsageError("-P nd4j-sgemm.size=64: nd4j-sgemm has no parameter 'size'; it has: sizes",
        "-P", "nd4j-sgemm.size=64");
    assertUsageError("-P nd4j-sgemm.sizes=64,0: '0' is not a positive integer", "-P", "nd4j-sgemm.sizes=64,0",
        "--dry-run");
  }

  private void assertUsageError(String message, String... args) {
    String[] all = Stream.concat(Stream.of("bench", "--out", tmp.resolve("unused").toString()), Stream.of(args))
        .toArray(String[]::new);
    Result r = sparkgen(all);
    assertEquals(ErrorHandler.USAGE, r.code(), r.out() + r.err());
    assertEquals("sparkgen bench: error: " + message, r.err().strip());
    assertFalse(Files.exists(tmp.resolve("unused")));
  }

  @Test
  void aTinyImageCodecRunWritesPositiveFiniteFigures() throws IOException {
    Path out = tmp.resolve("results");
    Result r = sparkgen("bench", "--only", "image-codec", "--repeat", "2", "--warmup", "0", "--min-time", "0.01",
        "--out", out.toString());
    assertEquals(0, r.code(), r.err());

    List<List<String>> csv = Csv.parse(Files.readString(out.resolve(ReportFiles.CSV)));
    List<String> header = csv.get(0);
    assertEquals(BenchReport.csvHeader(), header);
    List<String> metrics = csv.subList(1, csv.size()).stream().map(row -> row.get(header.indexOf("metric"))).toList();
    assertEquals(List.of("png decode 28x28 gray", "png encode 28x28 gray", "png decode 32x32 rgb",
        "png encode 32x32 rgb", "resize 256x256 to 64x64 rgb"), metrics);
    for (List<String> row : csv.subList(1, csv.size())) {
      double mean = Double.parseDouble(row.get(header.indexOf("mean")));
      assertTrue(mean > 0 && Double.isFinite(mean), row.toString());
      assertEquals("images/s", row.get(header.indexOf("unit")));
      assertEquals("2", row.get(header.indexOf("n")));
      assertEquals(header.size(), row.size());
    }

    Path report;
    try (Stream<Path> files = Files.list(out)) {
      List<Path> reports = files.filter(p -> p.toString().endsWith(".md")).toList();
      assertEquals(1, reports.size());
      report = reports.get(0);
    }
    assertTrue(report.getFileName().toString().matches("\\d{8}T\\d{6}Z\\.md"), report.toString());
    String md = Files.readString(report);
    assertTrue(md.contains("## Machine"), md);
    assertTrue(md.contains("| nd4j backend | CPU "), md);
    assertTrue(md.contains("| OPENBLAS_CORETYPE | "), md);
    assertTrue(md.contains("| image-codec | png decode 28x28 gray | "), md);
    assertTrue(r.out().contains("| image-codec | resize 256x256 to 64x64 rgb | "), r.out());
    assertTrue(r.out().contains("report: " + report), r.out());
  }

  @Test
  void aTinySgemmRunReportsGflopsAndPercentOfPeak() throws IOException {
    Path out = tmp.resolve("results");
    Result r = sparkgen("bench", "--only", "nd4j-sgemm", "-P", "nd4j-sgemm.sizes=64,96", "--repeat", "1",
        "--warmup", "0", "--min-time", "0.01", "--peak-gflops", "100", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    List<List<String>> csv = Csv.parse(Files.readString(out.resolve(ReportFiles.CSV)));
    List<String> header = csv.get(0);
    List<List<String>> rows = csv.subList(1, csv.size());
    assertEquals(List.of("n=64", "n=64 of peak", "n=96", "n=96 of peak"),
        rows.stream().map(row -> row.get(header.indexOf("metric"))).toList());
    double gflops = Double.parseDouble(rows.get(0).get(header.indexOf("mean")));
    double percent = Double.parseDouble(rows.get(1).get(header.indexOf("mean")));
    assertTrue(gflops > 0 && Double.isFinite(gflops), rows.get(0).toString());
    assertEquals(gflops, percent, 1e-4 * gflops); // peak 100 GFLOP/s: the percentage is the same number
    assertEquals("GFLOP/s", rows.get(0).get(header.indexOf("unit")));
    assertEquals("%", rows.get(1).get(header.indexOf("unit")));
  }
}
