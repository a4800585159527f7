package io.sparkgen.jobs.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTableTest {

  @TempDir Path tmp;

  private static MetricRow row(String run, long step, String metric, double value, double std, String createdAt) {
    return new MetricRow(run, "file:/runs/" + run, "vae", step, step * 64, metric, value, std, 100, 200, "domain",
        "ab12", "classifier,[-1,1]", "test", 7, "c0", "d0", "e0", "0.1.0", "eval-" + createdAt, createdAt);
  }

  @Test
  void appendsEvaluationsAndReadsThemBackWithTheCsvBeside() throws Exception {
    org.apache.hadoop.fs.Path run = new org.apache.hadoop.fs.Path(tmp.resolve("run").toString());
    List<MetricRow> first = List.of(row("a,\"b\"", 4, "fid", 12.5, Double.NaN, "2026-01-01T00:00:00Z"),
        row("a,\"b\"", 4, "kid", 0.01, 0.002, "2026-01-01T00:00:00Z"));
    List<MetricRow> second = List.of(row("a,\"b\"", 8, "fid", 9.25, Double.NaN, "2026-01-02T00:00:00Z"));
    MetricsTable.append(TestSpark.session(), run, "e1", first);
    MetricsTable.append(TestSpark.session(), run, "e2", second);

    List<MetricRow> all = MetricsTable.read(TestSpark.session(), run);
    assertEquals(List.of(first.get(0), first.get(1), second.get(0)), all);
    List<String> csv = Files.readAllLines(tmp.resolve("run/metrics.csv"));
    assertEquals(4, csv.size());
    assertTrue(csv.get(0).startsWith("run,run_dir,family,step,images_seen,metric,value,std,n_real,n_fake,extractor,"),
        csv.get(0));
    assertTrue(csv.get(1).startsWith("\"a,\"\"b\"\"\",\"file:/runs/a,\"\"b\"\"\",vae,4,256,fid,12.5,NaN,100,200,"),
        csv.get(1));

    IOException again = assertThrows(IOException.class, () -> MetricsTable.append(TestSpark.session(), run, "e1", first));
    assertTrue(again.getMessage().contains("evaluation e1 was appended before"), again.getMessage());
    try (Stream<Path> files = Files.list(tmp.resolve("run/metrics"))) {
      assertEquals(List.of("part-e1.parquet", "part-e2.parquet"),
          files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList(),
          "one Parquet file per evaluation, no staging left");
    }
  }

  @Test
  void noTableReadsAsEmpty() throws Exception {
    assertEquals(List.of(), MetricsTable.read(TestSpark.session(), new org.apache.hadoop.fs.Path(tmp.toString())));
  }
}
