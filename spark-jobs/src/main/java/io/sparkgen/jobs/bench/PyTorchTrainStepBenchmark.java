package io.sparkgen.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkgen.model.Family;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Single-process training throughput of each default model against PyTorch on the CPU (issue 3's
 * goal: match or beat it on identical architectures). Per family, sparkgen's LocalTrainer
 * step is timed as {@code train-step} times it, then {@code bench/pytorch/train_step.py} times the
 * same architecture, loss, Adam and EMA update in PyTorch with as many intra-op threads as ND4J
 * uses. The two models must have the same number of parameters, or nothing is compared.
 *
 * <p>The four default models only: the script builds the defaults, not arbitrary configs.
 */
public final class PyTorchTrainStepBenchmark implements Benchmark {

  static final String PYTHON = "python";
  static final String SCRIPT = "script";
  /** The default models the script builds, in its order. */
  static final List<String> TWINS = List.of("vae", "gan", "flow", "diffusion");

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String name() {
    return "pytorch-train-step";
  }

  @Override
  public String description() {
    return "train-step of each default model beside the same architecture in PyTorch (CPU, same threads): "
        + "images/s of each and their ratio";
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(
        new Parameter(TrainStepBenchmark.FAMILIES, String.join(",", TWINS),
            "default models to compare, comma-separated: " + String.join(", ", TWINS)),
        new Parameter(TrainStepBenchmark.BATCH_SIZE, "64", "images per step, both sides"),
        new Parameter(PYTHON, "python3", "the Python with PyTorch (Debian: apt-get install python3-torch)"),
        new Parameter(SCRIPT, "bench/pytorch/train_step.py", "the PyTorch side, relative to the working directory"));
  }

  @Override
  public Optional<String> skipReason(BenchContext context) {
    families(context);
    TrainStepBenchmark.batchSize(context);
    Path script = Path.of(context.param(SCRIPT));
    if (!Files.isRegularFile(script)) {
      return Optional.of("no " + script.toAbsolutePath() + " (" + context.option(SCRIPT) + "; run from the checkout)");
    }
    try {
      Process p = new ProcessBuilder(context.param(PYTHON), "-c", "import torch").redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor() != 0) {
        return Optional.of(context.param(PYTHON) + " cannot import torch (Debian: apt-get install python3-torch): "
            + lastLine(output));
      }
    } catch (IOException e) {
      return Optional.of("cannot run " + context.option(PYTHON) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while looking for PyTorch");
    }
    return Optional.empty();
  }

  @Override
  public List<Measurement> run(BenchContext context) throws IOException, InterruptedException {
    int batch = TrainStepBenchmark.batchSize(context);
    int threads = Nd4j.getEnvironment().maxThreads();
    List<Measurement> out = new ArrayList<>();
    for (Family<?> family : families(context)) {
      TrainStepBenchmark.StepRate ours = TrainStepBenchmark.measure(context, family, family.defaultConfig(), batch);
      JsonNode theirs = pytorch(context, family.id(), batch, threads);
      long ourParameters = ours.model().network().parameters().length();
      long theirParameters = theirs.path("parameters").asLong(-1);
      if (ourParameters != theirParameters) {
        throw new IllegalStateException(String.format(Locale.ROOT,
            "%s: the PyTorch model of %s has %d parameters, sparkgen's default %d: not the same architecture",
            family.id(), context.param(SCRIPT), theirParameters, ourParameters));
      }
      double ourRate = ours.imagesPerSecond();
      double theirRate = theirs.path("images_per_second").asDouble();
      out.add(new Measurement(family.id() + " images sparkgen", ourRate, "images/s", String.format(Locale.ROOT,
          "%s default, %d parameters, batch %d, %d steps in %.2f s, ND4J %d threads", family.id(), ourParameters, batch,
          ours.timing().iterations(), ours.timing().seconds(), threads)));
      out.add(new Measurement(family.id() + " images pytorch", theirRate, "images/s", String.format(Locale.ROOT,
          "PyTorch %s, same architecture, batch %d, %d steps in %.2f s, %d threads", theirs.path("torch").asText(),
          batch, theirs.path("iterations").asLong(), theirs.path("seconds").asDouble(), theirs.path("threads").asInt())));
      out.add(new Measurement(family.id() + " sparkgen/pytorch", ourRate / theirRate, "x",
          "images/s ratio; above 1: sparkgen is faster"));
    }
    return out;
  }

  /** One family's line of the script's output, parsed; the script's errors become the exception's message. */
  private static JsonNode pytorch(BenchContext context, String family, int batch, int threads)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(context.scratch(), "pytorch-" + family + "-", ".log");
    List<String> command = List.of(context.param(PYTHON), context.param(SCRIPT), "--families", family,
        "--batch", String.valueOf(batch), "--threads", String.valueOf(threads),
        "--min-seconds", String.valueOf(context.minSeconds()),
        "--min-iterations", String.valueOf(BenchContext.MIN_ITERATIONS),
        "--ema-half-life-images", String.valueOf(TrainStepBenchmark.EMA_HALF_LIFE_IMAGES),
        "--seed", String.valueOf(context.seed()));
    Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0 || stdout.isEmpty()) {
      throw new IllegalStateException(String.join(" ", command) + " failed: "
          + lastLine(Files.readString(log, StandardCharsets.UTF_8)) + " (log " + log + ")");
    }
    return parse(family, stdout);
  }

  /** The script's JSON line for {@code family}; anything else is an error naming what was printed. */
  static JsonNode parse(String family, String stdout) throws IOException {
    String line = lastLine(stdout);
    JsonNode node = JSON.readTree(line);
    if (node == null || !node.isObject() || !family.equals(node.path("family").asText())
        || !(node.path("images_per_second").asDouble() > 0) || !node.path("parameters").canConvertToLong()) {
      throw new IllegalStateException("the PyTorch script printed no result for " + family + ": " + line);
    }
    return node;
  }

  private static String lastLine(String text) {
    List<String> lines = text.strip().lines().toList();
    return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
  }

  private static List<Family<?>> families(BenchContext context) {
    List<Family<?>> families = TrainStepBenchmark.families(context);
    for (Family<?> family : families) {
      if (!TWINS.contains(family.id())) {
        throw new IllegalArgumentException(context.option(TrainStepBenchmark.FAMILIES) + ": " + family.id()
            + " has no PyTorch twin; the script builds " + String.join(", ", TWINS));
      }
    }
    return families;
  }
}
