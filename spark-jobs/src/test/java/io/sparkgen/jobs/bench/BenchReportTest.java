package io.sparkgen.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.fs.Csv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Markdown report and CSV rows of a run with fixed contents, and the files they go to. */
class BenchReportTest {

  @TempDir Path tmp;

  static BenchReport report(Path fakeRoot) {
    Clock clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    MachineInfo machine = MachineInfo.probe(clock, Map.of("OMP_NUM_THREADS", "2")::get, fakeRoot, 2, 1L << 30,
        () -> "0123456789abcdef0123456789abcdef01234567",
        () -> new MachineInfo.Nd4jInfo("CPU", "HAVE_OPENBLAS", "OpenBLAS 0.3.19", "2", "2"));
    Summary rate = Summary.of("codec", List.of(new Measurement("decode", 100, "images/s", "a"),
        new Measurement("decode", 300, "images/s", "64 images | \"smooth\", seeded")));
    Summary sizes = Summary.of("codec", List.of(new Measurement("bytes", 840, "B", "")));
    List<BenchResult> results = List.of(
        new BenchResult("codec", BenchResult.Status.OK, "", List.of(rate, sizes), 1.5),
        new BenchResult("shard", BenchResult.Status.SKIPPED, "no dataset at /x", List.of(), 0),
        new BenchResult("gemm", BenchResult.Status.FAILED, "IllegalStateException: wrong | result", List.of(), 0.25));
    RunInfo run = new RunInfo(ReportFiles.runId(clock.instant()), "sparkgen bench --only codec",
        new BenchSettings(2, 1, 0.5, 384), "local[*]", "cafe", 7);
    return new BenchReport(run, machine, results);
  }

  @Test
  void csvHasFixedColumnsAndOneRowPerMetric() {
    BenchReport report = report(tmp);
    List<String> header = BenchReport.csvHeader();
    assertEquals(List.of("run_id", "date", "benchmark", "metric", "unit", "mean", "sd", "min", "max", "n", "warmup",
        "min_time_s", "peak_gflops", "detail", "spark_master", "config_hash", "seed"), header.subList(0, 17));
    assertEquals(MachineInfo.csvHeader(), header.subList(17, header.size()));

    List<String> rows = report.csvRows();
    assertEquals(2, rows.size());
    List<List<String>> parsed = Csv.parse(String.join("\n", rows) + "\n");
    parsed.forEach(r -> assertEquals(header.size(), r.size(), r.toString()));
    List<String> first = parsed.get(0);
    assertEquals(List.of("20260102T030405Z", "2026-01-02T03:04:05Z", "codec", "decode", "images/s", "200", "141.4214",
        "100", "300", "2", "1", "0.5", "384", "64 images | \"smooth\", seeded", "local[*]", "cafe", "7"),
        first.subList(0, 17));
    assertEquals("2", first.get(header.indexOf("omp_num_threads")));
    assertEquals(MachineInfo.UNSET, first.get(header.indexOf("openblas_coretype")));
    assertEquals("0123456789abcdef0123456789abcdef01234567", first.get(header.indexOf("git_commit")));
    assertEquals("", parsed.get(1).get(header.indexOf("sd"))); // one repeat: no spread
  }

  @Test
  void markdownHasRunMachineAndResultsTablesWithEscapedCells() {
    String md = report(tmp).markdown();
    assertTrue(md.startsWith("# sparkgen bench 20260102T030405Z\n\n`sparkgen bench --only codec`\n"), md);
    assertTrue(md.contains("\n## Machine\n\n| property | value |\n| --- | --- |\n| date (UTC) | 2026-01-02T03:04:05Z |\n"), md);
    assertTrue(md.contains("| OMP_NUM_THREADS | 2 |\n"), md);
    assertTrue(md.contains("| OPENBLAS_CORETYPE | (unset) |\n"), md);
    assertTrue(md.contains("| git commit | 0123456789abcdef0123456789abcdef01234567 |\n"), md);
    assertTrue(md.contains("| benchmark | metric | mean | ± sd | sd % | min | max | unit | n | detail |\n"
        + "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |\n"
        + "| codec | decode | 200.0 | 141.4 | 70.71 | 100.0 | 300.0 | images/s | 2 | 64 images \\| \"smooth\", seeded |\n"
        + "| codec | bytes | 840.0 | – | – | 840.0 | 840.0 | B | 1 |  |\n"), md);
    assertTrue(md.contains("- **shard** skipped: no dataset at /x\n"), md);
    assertTrue(md.contains("- **gemm** failed: IllegalStateException: wrong \\| result\n"), md);
    for (String line : md.split("\n")) {
      if (line.startsWith("| ")) {
        assertTrue(line.endsWith(" |"), line);
      }
    }
  }

  @Test
  void filesAreWrittenWholeAndTheCsvGrows() throws IOException {
    BenchReport report = report(tmp.resolve("no-proc"));
    Path out = tmp.resolve("results");
    Path first = ReportFiles.writeReport(out, "20260102T030405Z", report.markdown());
    Path second = ReportFiles.writeReport(out, "20260102T030405Z", report.markdown());
    assertEquals(out.resolve("20260102T030405Z.md"), first);
    assertEquals(out.resolve("20260102T030405Z-2.md"), second);
    assertEquals(report.markdown(), Files.readString(first));

    ReportFiles.appendCsv(out, BenchReport.csvHeader(), report.csvRows());
    ReportFiles.appendCsv(out, BenchReport.csvHeader(), report.csvRows());
    List<List<String>> csv = Csv.parse(Files.readString(out.resolve(ReportFiles.CSV)));
    assertEquals(1 + 2 * report.csvRows().size(), csv.size());
    assertEquals(BenchReport.csvHeader(), csv.get(0));
    try (Stream<Path> files = Files.list(out)) {
      assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
  }

  @Test
  void aCsvWithOtherColumnsIsRefusedBeforeAnythingRuns() throws IOException {
    Path out = Files.createDirectories(tmp.resolve("old"));
    Files.writeString(out.resolve(ReportFiles.CSV), "run_id,benchmark,value\n1,x,2\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReportFiles.checkOutput(out, BenchReport.csvHeader()));
    assertEquals(out.resolve(ReportFiles.CSV) + " has other columns than this version writes: column 2 is 'benchmark'"
        + " there, 'date' here; move it aside or pass another --out", e.getMessage());
    Path file = Files.writeString(tmp.resolve("a-file"), "");
    assertEquals("--out " + file + ": exists and is not a directory", assertThrows(IllegalArgumentException.class,
        () -> ReportFiles.checkOutput(file, BenchReport.csvHeader())).getMessage());
  }
}
