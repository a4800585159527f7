package io.sparkgen.jobs.bench;

import static io.sparkgen.jobs.bench.BenchCommandTest.sparkgen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.fs.Csv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The feature-extraction benchmark at batch 1 (Inception at 299x299 is slow): one positive row per metric. */
class FeatureExtractionBenchmarkTest {

  @TempDir Path tmp;

  @Test
  void reportsImagesPerSecondOfBothExtractorsAndInceptionsGflops() throws IOException {
    Path out = tmp.resolve("results");
    BenchCommandTest.Result r = sparkgen("bench", "--only", "feature-extraction", "--repeat", "1", "--warmup", "0",
        "--min-time", "0.01", "-P", "feature-extraction.batch-size=1", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    List<List<String>> csv = Csv.parse(Files.readString(out.resolve(ReportFiles.CSV)));
    List<String> header = csv.get(0);
    List<String> metrics = new ArrayList<>();
    for (List<String> row : csv.subList(1, csv.size())) {
      metrics.add(row.get(header.indexOf("metric")) + " [" + row.get(header.indexOf("unit")) + "]");
      double mean = Double.parseDouble(row.get(header.indexOf("mean")));
      assertTrue(mean > 0 && Double.isFinite(mean), row.toString());
    }
    assertEquals(List.of("domain images [images/s]", "inception images [images/s]", "inception achieved [GFLOP/s]",
        "inception of peak [%]"), metrics);
    assertTrue(csv.get(2).get(header.indexOf("detail")).startsWith("inception-v3 (rgb,bilinear-299,range[-1,1]), "
        + "batch 1 of 1x28x28, "), csv.get(2).toString());
  }

  @Test
  void anUnknownExtractorIsAUsageErrorNamingTheOption() {
    BenchCommandTest.Result r = sparkgen("bench", "--only", "feature-extraction", "-P",
        "feature-extraction.extractors=domain,clip", "--out", tmp.resolve("results").toString());
    assertTrue(r.code() != 0, r.out());
    assertTrue(r.err().contains("-P feature-extraction.extractors=domain,clip: unknown extractor 'clip'"), r.err());
  }
}
