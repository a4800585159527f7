package io.sparkgen.jobs.bench;

import static io.sparkgen.jobs.bench.BenchCommandTest.sparkgen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.fs.Csv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness side of pytorch-train-step, with a stand-in for the Python interpreter (CI has no
 * PyTorch): how it reads the script's line, compares parameter counts and forms the ratio.
 */
class PyTorchTrainStepBenchmarkTest {

  /** Parameters of the default VAE (VaeContractTest). */
  private static final long VAE_PARAMETERS = 156_481L;

  @TempDir Path tmp;

  /** A "python" that imports torch and prints {@code line} for any script. */
  private Path fakePython(String line, int exitCode) throws IOException {
    Path python = tmp.resolve("python");
    Files.writeString(python, "#!/bin/bash\n"
        + "if [ \"$1\" = -c ]; then exit 0; fi\n"
        + "echo 'loading' >&2\n"
        + "echo '" + line + "'\n"
        + "exit " + exitCode + "\n");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
    return python;
  }

  private BenchCommandTest.Result bench(Path python, String... more) throws IOException {
    Path script = Files.writeString(tmp.resolve("train_step.py"), "# stand-in\n");
    List<String> args = new java.util.ArrayList<>(List.of("bench", "--only", "pytorch-train-step", "--repeat", "1",
        "--warmup", "0", "--min-time", "0.01", "-P", "pytorch-train-step.families=vae",
        "-P", "pytorch-train-step.batch-size=4", "-P", "pytorch-train-step.python=" + python,
        "-P", "pytorch-train-step.script=" + script, "--out", tmp.resolve("results").toString()));
    args.addAll(List.of(more));
    return sparkgen(args.toArray(String[]::new));
  }

  private Map<String, Double> means() throws IOException {
    List<List<String>> csv = Csv.parse(Files.readString(tmp.resolve("results").resolve(ReportFiles.CSV)));
    List<String> header = csv.get(0);
    Map<String, Double> out = new LinkedHashMap<>();
    for (List<String> row : csv.subList(1, csv.size())) {
      out.put(row.get(header.indexOf("metric")), Double.parseDouble(row.get(header.indexOf("mean"))));
    }
    return out;
  }

  @Test
  void reportsBothRatesAndTheirRatio() throws IOException {
    Path python = fakePython("{\"family\": \"vae\", \"parameters\": " + VAE_PARAMETERS + ", \"images_per_second\": 250.0,"
        + " \"iterations\": 7, \"seconds\": 0.112, \"batch\": 4, \"threads\": 2, \"torch\": \"1.13.1\"}", 0);
    BenchCommandTest.Result r = bench(python);
    assertEquals(0, r.code(), r.err());

    Map<String, Double> means = means();
    assertEquals(List.of("vae images sparkgen", "vae images pytorch", "vae sparkgen/pytorch"), List.copyOf(means.keySet()));
    assertEquals(250.0, means.get("vae images pytorch"), 0.0);
    double ours = means.get("vae images sparkgen");
    assertTrue(ours > 0 && Double.isFinite(ours), "sparkgen images/s " + ours);
    assertEquals(ours / 250.0, means.get("vae sparkgen/pytorch"), 1e-6 * ours / 250.0);
  }

  @Test
  void refusesToCompareModelsOfDifferentSize() throws IOException {
    Path python = fakePython("{\"family\": \"vae\", \"parameters\": " + (VAE_PARAMETERS - 1)
        + ", \"images_per_second\": 250.0, \"iterations\": 7, \"seconds\": 0.1, \"torch\": \"1.13.1\"}", 0);
    BenchCommandTest.Result r = bench(python);
    assertEquals(1, r.code(), r.out());
    assertTrue(r.out().contains("vae: the PyTorch model of ") && r.out().contains("has 156480 parameters, sparkgen's "
        + "default 156481: not the same architecture"), r.out());
    assertTrue(means().isEmpty(), "no rows from a refused comparison: " + means());
  }

  @Test
  void aFailingScriptIsAnErrorWithTheLastLineOfItsStderr() throws IOException {
    BenchCommandTest.Result r = bench(fakePython("{}", 1));
    assertEquals(1, r.code(), r.out());
    assertTrue(r.out().contains("failed: loading (log "), r.out());
  }

  @Test
  void withoutPyTorchTheBenchmarkIsSkippedSayingHowToInstallIt() throws IOException {
    Path python = tmp.resolve("python-without-torch");
    Files.writeString(python, "#!/bin/bash\necho \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
    BenchCommandTest.Result r = bench(python);
    String all = r.out() + r.err();
    assertTrue(all.contains("cannot import torch (Debian: apt-get install python3-torch): "
        + "ModuleNotFoundError: No module named 'torch'"), all);
  }
}
