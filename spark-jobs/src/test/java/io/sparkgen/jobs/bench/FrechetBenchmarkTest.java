package io.sparkgen.jobs.bench;

import static io.sparkgen.jobs.bench.BenchCommandTest.sparkgen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.fs.Csv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The frechet benchmark at a small d: with SciPy its four rows agree to rounding; without, one row and the reason. */
class FrechetBenchmarkTest {

  @TempDir Path tmp;

  private static List<List<String>> run(Path out, String python) throws Exception {
    BenchCommandTest.Result r = sparkgen("bench", "--only", "frechet", "-P", "frechet.dimension=64", "-P",
        "frechet.python=" + python, "--repeat", "1", "--warmup", "0", "--min-time", "0.01", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    return Csv.parse(Files.readString(out.resolve(ReportFiles.CSV)));
  }

  @Test
  void againstScipyWhereItIsInstalledAndWithAReasonWhereItIsNot() throws Exception {
    List<List<String>> csv = run(tmp.resolve("with"), "python3");
    List<String> header = csv.get(0);
    int metric = header.indexOf("metric");
    int mean = header.indexOf("mean");
    int detail = header.indexOf("detail");
    assertEquals("sparkgen d=64", csv.get(1).get(metric));
    if (csv.size() == 5) { // python3 with numpy and scipy on this machine
      assertEquals(List.of("scipy d=64", "speedup d=64", "|difference| d=64"),
          csv.subList(2, 5).stream().map(row -> row.get(metric)).toList());
      assertTrue(csv.get(4).get(detail).contains("relative"), csv.get(4).toString());
      assertTrue(Double.parseDouble(csv.get(4).get(mean)) < 1e-6, csv.get(4).toString());
    } else {
      assertEquals(2, csv.size(), csv.toString());
      assertTrue(csv.get(1).get(detail).contains("scipy column skipped"), csv.get(1).toString());
    }

    List<List<String>> without = run(tmp.resolve("without"), tmp.resolve("no-such-python").toString());
    assertEquals(2, without.size(), without.toString());
    assertTrue(without.get(1).get(detail).contains("scipy column skipped: cannot start -P frechet.python="),
        without.get(1).toString());
  }
}
