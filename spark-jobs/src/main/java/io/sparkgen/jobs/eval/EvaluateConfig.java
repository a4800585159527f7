package io.sparkgen.jobs.eval;

import io.sparkgen.jobs.config.Check;
import io.sparkgen.jobs.config.Doc;
import io.sparkgen.jobs.sample.SampleConfig;
import java.util.Map;

/** Configuration of {@code sparkgen evaluate}. Counts are images. */
public record EvaluateConfig(
    @Doc("Run directory to evaluate (Hadoop URI or local path); metric rows are appended to its metrics table.")
        String run,
    @Doc("Which checkpoints: latest, all, or steps separated by commas.") String checkpoints,
    @Doc("Shard set of the real images (the run's training data).") String data,
    @Doc("Real split compared against: test or train.") String split,
    @Doc("Real images: the first N of the split in shard order.") long realCount,
    @Doc("Generated images per checkpoint; 0: as many as real.") long fakeCount,
    @Doc("Feature extractor file: a sparkgen train-features output (kind domain) or an .npz of Inception "
        + "weights (kind inception).") String extractor,
    @Doc("Kind of the extractor file: domain (sparkgen train-features) or inception (pytorch-fid's FID "
        + "Inception-v3 weights as .npz; 299x299 RGB, slow on CPU).") String extractorKind,
    @Doc("Directory of cached real-data statistics, keyed by data manifest, extractor hash, split, N and protocol.")
        String cacheDir,
    @Doc("Sampling seed of the generated images; -1: the master seed.") long seed,
    @Doc("Weights to sample with: ema or live.") SampleConfig.Weights weights,
    @Doc("Sampler options, as for sparkgen sample (e.g. { sampler = ddim, steps = 50 }).") Map<String, String> options,
    @Doc("Images per network call on an executor.") int batchSize,
    @Doc("Spark partitions; 0: enough for every core.") int partitions,
    @Doc("KID: number of random subsets.") int kidSubsets,
    @Doc("KID: images per subset (capped at the smaller set).") int kidSubsetSize,
    @Doc("Precision/recall: the k of the k-NN radii (Kynkaanniemi et al. 2019 use 3).") int k,
    @Doc("Sliced Wasserstein on features: repeats x directions (ProGAN: 4 x 128).") int swdRepeats,
    @Doc("Sliced Wasserstein on features: random directions per repeat.") int swdDirections,
    @Doc("Inception Score: splits (where the extractor has class logits).") int isSplits,
    @Doc("FID_inf: the smallest of the subset sizes the line is fitted over (0 skips it).") int fidInfMinCount,
    @Doc("FID_inf: how many subset sizes between min and N.") int fidInfSizes,
    @Doc("Real test images scored by the model's likelihood where it has one (flow, VAE); 0 skips it.")
        long likelihoodCount,
    @Doc("Memorisation check: generated images shown beside their nearest training images; 0 skips it.")
        int nearestCount,
    @Doc("Memorisation check: training images searched (the first N of the train split).") long nearestPool,
    @Doc("Memorisation check: neighbours shown per generated image.") int nearestK,
    @Doc("Sampler comparison: option sets (e.g. \"sampler=ddim,steps=50\"), each drawn with the same seeds into "
        + "samplers/<sampler>-<steps>.png with its time per image; a model whose sampler refuses a set skips it.")
        java.util.List<String> samplerGrids,
    @Doc("Sampler comparison: images per grid.") int samplerGridImages,
    @Doc("Multi-scale SWD on pixels (ProGAN): 7x7 patches per image per Laplacian level; 0 skips it.")
        int swdMultiscalePatches,
    @Doc("Multi-scale SWD on pixels: repeats of the random directions (ProGAN: 4).") int swdMultiscaleRepeats,
    @Doc("Multi-scale SWD on pixels: random directions per repeat (ProGAN: 128).") int swdMultiscaleDirections,
    @Doc("Critic Wasserstein estimate (Rosca et al. 2018): updates of a WGAN-GP critic trained on half of the "
        + "real and generated images (the same n as the multi-scale SWD), measured on the other half; 0 skips it. "
        + "Slow on CPU: about a second per update at the defaults on 28x28 images.") int criticSteps,
    @Doc("Critic Wasserstein estimate: images of each set per critic update.") int criticBatchSize,
    @Doc("Critic Wasserstein estimate: the critic's convolution channels (the DCGAN discriminator's: 64, 128).")
        java.util.List<Integer> criticChannels) {

  public EvaluateConfig {
    Check.that(!run.isBlank(), "run", run, "must name the run directory");
    Check.that(!checkpoints.isBlank(), "checkpoints", checkpoints, "must be latest, all or steps");
    Check.that(split.equals("test") || split.equals("train"), "split", split, "must be test or train");
    Check.that(realCount > 1, "real-count", realCount, "must be > 1");
    Check.that(fakeCount >= 0, "fake-count", fakeCount, "must be >= 0");
    Check.that(extractorKind.equals("domain") || extractorKind.equals("inception"), "extractor-kind", extractorKind,
        "must be domain or inception");
    Check.that(seed >= -1, "seed", seed, "must be >= 0, or -1 for the master seed");
    Check.that(batchSize > 0, "batch-size", batchSize, "must be > 0");
    Check.that(partitions >= 0, "partitions", partitions, "must be >= 0");
    Check.that(kidSubsets > 0, "kid-subsets", kidSubsets, "must be > 0");
    Check.that(kidSubsetSize > 1, "kid-subset-size", kidSubsetSize, "must be > 1");
    Check.that(k > 0, "k", k, "must be > 0");
    Check.that(swdRepeats > 0, "swd-repeats", swdRepeats, "must be > 0");
    Check.that(swdDirections > 0, "swd-directions", swdDirections, "must be > 0");
    Check.that(isSplits > 0, "is-splits", isSplits, "must be > 0");
    Check.that(fidInfMinCount >= 0, "fid-inf-min-count", fidInfMinCount, "must be >= 0");
    Check.that(fidInfSizes > 1, "fid-inf-sizes", fidInfSizes, "must be > 1");
    Check.that(likelihoodCount >= 0, "likelihood-count", likelihoodCount, "must be >= 0");
    Check.that(nearestCount >= 0, "nearest-count", nearestCount, "must be >= 0");
    Check.that(nearestPool > 0, "nearest-pool", nearestPool, "must be > 0");
    Check.that(nearestK > 0, "nearest-k", nearestK, "must be > 0");
    Check.that(samplerGridImages > 0, "sampler-grid-images", samplerGridImages, "must be > 0");
    Check.that(swdMultiscalePatches >= 0, "swd-multiscale-patches", swdMultiscalePatches, "must be >= 0 (0 skips it)");
    Check.that(swdMultiscaleRepeats > 0, "swd-multiscale-repeats", swdMultiscaleRepeats, "must be > 0");
    Check.that(swdMultiscaleDirections > 0, "swd-multiscale-directions", swdMultiscaleDirections, "must be > 0");
    Check.that(criticSteps >= 0, "critic-steps", criticSteps, "must be >= 0 (0 skips it)");
    Check.that(criticBatchSize > 0, "critic-batch-size", criticBatchSize, "must be > 0");
    Check.that(!criticChannels.isEmpty() && criticChannels.stream().allMatch(c -> c > 0), "critic-channels",
        criticChannels, "must be positive channel counts");
    criticChannels = java.util.List.copyOf(criticChannels);
    samplerGrids = java.util.List.copyOf(samplerGrids);
    samplerGrids.forEach(EvaluateConfig::samplerOptions);
    options = Map.copyOf(options);
  }

  public static EvaluateConfig defaults() {
    return new EvaluateConfig("runs/fashion-mnist", "latest", "data/fashion-mnist", "test", 10_000, 0,
        "features/fashion-mnist-domain.zip", "domain", "cache/stats", -1, SampleConfig.Weights.EMA, Map.of(), 256, 0,
        100, 1000, 3, 4, 128, 10, 5000, 5, 256, 8, 10_000, 4,
        java.util.List.of("sampler=dpm-solver++,steps=10", "sampler=dpm-solver++,steps=20", "sampler=ddim,steps=10",
            "sampler=ddim,steps=50", "sampler=ddpm,steps=1000"), 16,
        128, 4, 128, 0, 64, java.util.List.of(64, 128));
  }

  /** "k=v,k=v" as a map; a malformed entry is an error naming it. */
  static Map<String, String> samplerOptions(String spec) {
    Map<String, String> options = new java.util.TreeMap<>();
    for (String pair : spec.split(",")) {
      String[] kv = pair.split("=", 2);
      Check.that(kv.length == 2 && !kv[0].isBlank() && !kv[1].isBlank(), "sampler-grids", spec,
          "entries must be key=value pairs separated by commas, e.g. sampler=ddim,steps=50");
      options.put(kv[0].trim(), kv[1].trim());
    }
    Check.that(options.containsKey("sampler") && options.containsKey("steps"), "sampler-grids", spec,
        "each entry must give sampler and steps");
    return options;
  }

  long fakeImages() {
    return fakeCount > 0 ? fakeCount : realCount;
  }
}
