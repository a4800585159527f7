package io.sparkgen.jobs.bench;

import static io.sparkgen.jobs.bench.BenchCommandTest.sparkgen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.fs.Csv;
import io.sparkgen.model.Families;
import io.sparkgen.model.Family;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The train-step benchmark on tiny models of both families: one row per metric, positive and finite. */
class TrainStepBenchmarkTest {

  private static final String TINY = "{"
      + "\"vae\":{\"image\":{\"channels\":1,\"height\":8,\"width\":8},\"latentDim\":2,\"encoderChannels\":[4,4],"
      + "\"decoderBaseChannels\":4,\"decoderChannels\":[4,4]},"
      + "\"gan\":{\"image\":{\"channels\":1,\"height\":8,\"width\":8},\"noiseDim\":4,\"kernelSize\":3,"
      + "\"generatorChannels\":[8,4,4],\"discriminatorChannels\":[4,8]}}";

  @TempDir Path tmp;

  @Test
  void reportsImagesPerSecondAndAchievedGflopsForEachFamily() throws IOException {
    Path out = tmp.resolve("results");
    BenchCommandTest.Result r = sparkgen("bench", "--only", "train-step", "--repeat", "1", "--warmup", "0",
        "--min-time", "0.01", "-P", "train-step.families=vae,gan", "-P", "train-step.batch-size=4",
        "-P", "train-step.overrides=" + TINY, "--out", out.toString());
    assertEquals(0, r.code(), r.err());

    List<List<String>> csv = Csv.parse(Files.readString(out.resolve(ReportFiles.CSV)));
    List<String> header = csv.get(0);
    List<String> metrics = new ArrayList<>();
    for (List<String> row : csv.subList(1, csv.size())) {
      metrics.add(row.get(header.indexOf("metric")) + " [" + row.get(header.indexOf("unit")) + "]");
      double mean = Double.parseDouble(row.get(header.indexOf("mean")));
      assertTrue(mean > 0 && Double.isFinite(mean), row.toString());
    }
    assertEquals(List.of(
        "vae images [images/s]", "vae achieved [GFLOP/s]", "vae of peak [%]",
        "gan images [images/s]", "gan achieved [GFLOP/s]", "gan of peak [%]"), metrics);
    assertTrue(csv.get(1).get(header.indexOf("detail")).startsWith("vae, batch 4, "), csv.get(1).toString());
  }

  @Test
  void defaultsToEveryFamilyBuiltFromItsDefaultsAtBatch64() {
    BenchCommandTest.Result r = sparkgen("bench", "--list");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("-P train-step.families=vae,gan,flow,diffusion,vaegan "), r.out());
    assertTrue(r.out().contains("-P train-step.batch-size=64"), r.out());
  }

  @Test
  void aFamilyBuiltOnACheckpointIsAUsageError() {
    BenchCommandTest.Result r = sparkgen("bench", "--only", "train-step", "-P", "train-step.families=latent-diffusion",
        "--out", tmp.resolve("results").toString());
    assertTrue(r.code() != 0, r.out());
    assertTrue(r.err().contains("-P train-step.families=latent-diffusion: latent-diffusion builds on a trained "
        + "checkpoint"), r.err());
  }

  @Test
  void anUnknownFamilyIsAUsageErrorNamingTheOption() {
    BenchCommandTest.Result r = sparkgen("bench", "--only", "train-step", "-P", "train-step.families=vae,nope",
        "--out", tmp.resolve("results").toString());
    assertTrue(r.code() != 0, r.out());
    assertTrue(r.err().contains("-P train-step.families=vae,nope: unknown family 'nope'"), r.err());
  }
}
