package io.sparkgen.jobs.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkgen.model.BuildsOnCheckpoint;
import io.sparkgen.model.Families;
import io.sparkgen.model.Family;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.StepReport;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.train.ImageDataset;
import io.sparkgen.model.train.LocalTrainer;
import io.sparkgen.model.train.TrainConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Single-process training throughput of each family (issue 3): one {@link LocalTrainer} step per
 * iteration, model built from the family's default config (or {@code overrides}), on random images
 * in [-1, 1]. Reports images/s and achieved GFLOP/s from the network's analytic count of
 * {@code Network#trainingFlopsPerImage}, so the figure can be read against the sgemm benchmark and
 * against PyTorch on the same architecture. Every step's metrics must be finite.
 */
public final class TrainStepBenchmark implements Benchmark {

  static final String FAMILIES = "families";
  static final String BATCH_SIZE = "batch-size";
  static final String OVERRIDES = "overrides";

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Distinct images in the synthetic dataset, as a multiple of the batch: the batch gather is real work. */
  private static final int DATASET_BATCHES = 4;
  /** The EMA half-life of the timed trainer (train.ema-half-life-images' default); the EMA update is part of a step. */
  static final double EMA_HALF_LIFE_IMAGES = 10_000.0;

  @Override
  public String name() {
    return "train-step";
  }

  @Override
  public String description() {
    return "one LocalTrainer step of each family's default model on random images: images/s and achieved GFLOP/s";
  }

  /**
   * The {@code families} parameter: by default every family whose default model stands alone (not
   * one that builds on a trained checkpoint, as latent diffusion on its autoencoder).
   */
  static Parameter familiesParameter() {
    return new Parameter(FAMILIES, Families.all().stream().filter(f -> !(f instanceof BuildsOnCheckpoint))
        .map(Family::id).collect(Collectors.joining(",")), "family ids to train, comma-separated (default models)");
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(
        familiesParameter(),
        new Parameter(BATCH_SIZE, "64", "images per step"),
        new Parameter(OVERRIDES, "{}",
            "JSON object: family id -> config overrides as that family's readConfig takes them, e.g. {\"vae\":{\"latentDim\":2}}"));
  }

  @Override
  public Optional<String> skipReason(BenchContext context) {
    families(context);
    batchSize(context);
    overrides(context);
    return Optional.empty();
  }

  @Override
  public List<Measurement> run(BenchContext context) {
    int batch = batchSize(context);
    JsonNode overrides = overrides(context);
    List<Measurement> out = new ArrayList<>();
    for (Family<?> family : families(context)) {
      ModelConfig config = family.readConfig(overrides.path(family.id()).isObject()
          ? overrides.get(family.id()) : JSON.createObjectNode());
      StepRate rate = measure(context, family, config, batch);
      GenerativeModel model = rate.model();
      BenchContext.Timing t = rate.timing();
      double imagesPerSecond = rate.imagesPerSecond();
      double flopsPerImage = model.network().trainingFlopsPerImage();
      String detail = String.format(Locale.ROOT, "%s, batch %d, %d steps in %.2f s, %s training flops per image",
          family.id(), batch, t.iterations(), t.seconds(),
          Double.isFinite(flopsPerImage) ? String.format(Locale.ROOT, "%.4g", flopsPerImage) : "unknown");
      out.add(new Measurement(family.id() + " images", imagesPerSecond, "images/s", detail));
      if (Double.isFinite(flopsPerImage)) {
        double gflops = imagesPerSecond * flopsPerImage / 1e9;
        out.add(new Measurement(family.id() + " achieved", gflops, "GFLOP/s",
            "3x forward multiply-adds of dense and convolution layers x 2 (Network#trainingFlopsPerImage)"));
        out.add(new Measurement(family.id() + " of peak", 100 * gflops / context.peakGflops(), "%",
            "of " + Tables.number(context.peakGflops()) + " GFLOP/s (--peak-gflops)"));
      }
    }
    return out;
  }

  /** Training steps of one model timed by {@link #measure}. */
  record StepRate(GenerativeModel model, int batch, BenchContext.Timing timing) {
    double imagesPerSecond() {
      return timing.iterations() * (double) batch / timing.seconds();
    }
  }

  /**
   * Times {@link LocalTrainer} steps of a freshly created model on synthetic data, after one untimed
   * step (graph set-up); every step's metrics must be finite.
   */
  static StepRate measure(BenchContext context, Family<?> family, ModelConfig config, int batch) {
    GenerativeModel model = family.createFrom(config, context.seed());
    LocalTrainer trainer = new LocalTrainer(model, new TrainConfig(context.seed(), batch, Long.MAX_VALUE, EMA_HALF_LIFE_IMAGES),
        syntheticData(config, batch * DATASET_BATCHES, context.seed()));
    check(family, trainer.step());
    return new StepRate(model, batch, context.time(i -> check(family, trainer.step())));
  }

  /** Images uniform in [-1, 1] and labels uniform over the classes, from the master seed. */
  static ImageDataset syntheticData(ModelConfig config, int n, long seed) {
    ImageShape s = config.image();
    Rng rng = new Rng(seed);
    INDArray images = rng.uniform(DataType.FLOAT, -1.0, 1.0, n, s.channels(), s.height(), s.width());
    int[] labels = null;
    if (config.numClasses() > 0) {
      labels = new int[n];
      for (int i = 0; i < n; i++) {
        labels[i] = rng.nextInt(config.numClasses());
      }
    }
    return ImageDataset.of(images, labels);
  }

  private static void check(Family<?> family, StepReport report) {
    if (!report.allFinite()) {
      throw new IllegalStateException(family.id() + " training step gave non-finite metrics: " + report.metrics());
    }
  }

  /** The families of the {@code families} parameter (shared with {@link TrainScalingBenchmark}). */
  static List<Family<?>> families(BenchContext context) {
    List<Family<?>> out = new ArrayList<>();
    for (String id : context.param(FAMILIES).split(",")) {
      Family<?> family;
      try {
        family = Families.byId(id.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(context.option(FAMILIES) + ": " + e.getMessage());
      }
      if (family instanceof BuildsOnCheckpoint) {
        throw new IllegalArgumentException(context.option(FAMILIES) + ": " + family.id()
            + " builds on a trained checkpoint; benchmarks time models built from their defaults alone");
      }
      out.add(family);
    }
    return out;
  }

  /** The one batch size of the {@code batch-size} parameter (shared with the other benchmarks that have one). */
  static int batchSize(BenchContext context) {
    List<Integer> sizes = context.positiveInts(BATCH_SIZE);
    if (sizes.size() != 1) {
      throw new IllegalArgumentException(context.option(BATCH_SIZE) + ": give one batch size");
    }
    return sizes.get(0);
  }

  private static JsonNode overrides(BenchContext context) {
    JsonNode node;
    try {
      node = JSON.readTree(context.param(OVERRIDES));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(context.option(OVERRIDES) + ": not JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(context.option(OVERRIDES) + ": must be a JSON object of family id -> overrides");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String id = names.next();
      try {
        Families.byId(id);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(context.option(OVERRIDES) + ": " + e.getMessage());
      }
    }
    return node;
  }
}
