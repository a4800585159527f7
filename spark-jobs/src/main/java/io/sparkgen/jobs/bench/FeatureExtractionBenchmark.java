package io.sparkgen.jobs.bench;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.features.DomainClassifier;
import io.sparkgen.model.features.FeatureExtractor;
import io.sparkgen.model.features.FidInceptionV3;
import io.sparkgen.model.random.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Feature extraction throughput (issue 5): images/s of the domain classifier (default architecture)
 * and of the FID Inception-v3 (random weights from the master seed: same work as the real ones) on
 * random 1x28x28 images in [-1, 1], one {@link FeatureExtractor#apply} of a batch per iteration;
 * Inception also as achieved GFLOP/s from its analytic multiply-add count. Outputs must be finite.
 */
public final class FeatureExtractionBenchmark implements Benchmark {

  static final String EXTRACTORS = "extractors";
  static final String BATCH_SIZE = "batch-size";
  private static final ImageShape IMAGE = new ImageShape(1, 28, 28);

  @Override
  public String name() {
    return "feature-extraction";
  }

  @Override
  public String description() {
    return "features of random 28x28 grey images: domain classifier and FID Inception-v3 (random weights) images/s";
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(
        new Parameter(EXTRACTORS, "domain,inception", "extractors to time, comma-separated: domain, inception"),
        new Parameter(BATCH_SIZE, "32", "images per apply call"));
  }

  @Override
  public Optional<String> skipReason(BenchContext context) {
    extractors(context);
    TrainStepBenchmark.batchSize(context);
    return Optional.empty();
  }

  @Override
  public List<Measurement> run(BenchContext context) {
    int batch = TrainStepBenchmark.batchSize(context);
    INDArray images = new Rng(context.seed()).uniform(DataType.FLOAT, -1.0, 1.0, batch, IMAGE.channels(),
        IMAGE.height(), IMAGE.width());
    List<Measurement> out = new ArrayList<>();
    for (String kind : extractors(context)) {
      FeatureExtractor e = kind.equals("domain")
          ? DomainClassifier.create(DomainClassifier.Config.defaults(IMAGE, 10), context.seed())
          : FidInceptionV3.read(FidInceptionV3.randomWeightsNpz(context.seed()), "random-weights.npz");
      check(kind, e.apply(images)); // first call: set-up, not timed
      BenchContext.Timing t = context.time(i -> check(kind, e.apply(images)));
      double imagesPerSecond = t.iterations() * (double) batch / t.seconds();
      out.add(new Measurement(kind + " images", imagesPerSecond, "images/s", String.format(Locale.ROOT,
          "%s (%s), batch %d of %dx%dx%d, %d calls in %.2f s", e.id(), e.protocol(), batch, IMAGE.channels(),
          IMAGE.height(), IMAGE.width(), t.iterations(),
          t.seconds())));
      if (e instanceof FidInceptionV3) {
        double gflops = imagesPerSecond * 2.0 * FidInceptionV3.multiplyAddsPerImage() / 1e9;
        out.add(new Measurement(kind + " achieved", gflops, "GFLOP/s",
            "2 x convolution and fc multiply-adds (FidInceptionV3#multiplyAddsPerImage)"));
        out.add(new Measurement(kind + " of peak", 100 * gflops / context.peakGflops(), "%",
            "of " + Tables.number(context.peakGflops()) + " GFLOP/s (--peak-gflops)"));
      }
    }
    return out;
  }

  private static void check(String kind, FeatureExtractor.Output o) {
    if (o.features().isInfinite().any() || o.features().isNaN().any()) {
      throw new IllegalStateException(kind + " features are not all finite");
    }
  }

  private static List<String> extractors(BenchContext context) {
    List<String> out = new ArrayList<>();
    for (String kind : context.param(EXTRACTORS).split(",")) {
      String k = kind.trim();
      if (!k.equals("domain") && !k.equals("inception")) {
        throw new IllegalArgumentException(context.option(EXTRACTORS) + ": unknown extractor '" + k
            + "'; known: domain, inception");
      }
      out.add(k);
    }
    return out;
  }
}
