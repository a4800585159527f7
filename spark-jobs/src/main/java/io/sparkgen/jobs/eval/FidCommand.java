package io.sparkgen.jobs.eval;

import io.sparkgen.jobs.cli.ConfigOptions;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.model.metrics.FrechetDistance;
import io.sparkgen.model.metrics.KernelInceptionDistance;
import io.sparkgen.model.metrics.PrecisionRecall;
import io.sparkgen.model.metrics.SlicedWasserstein;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sparkgen fid}: FID, KID and precision/recall between two feature files. */
@Command(name = "fid", mixinStandardHelpOptions = true,
    description = {"Print FID, KID (mean and std over subsets), precision/recall and sliced Wasserstein distance between the features of real and "
        + "generated images, each a float .npy [n, d] (e.g. from the FID Inception network).",
        "Options below override the config keys in brackets; see --dry-run for all keys."})
public final class FidCommand implements Callable<Integer> {

  /** ProGAN's sliced_wasserstein.py defaults. */
  static final int SWD_REPEATS = 4;
  static final int SWD_DIRECTIONS = 128;

  @Mixin ConfigOptions config;

  @Option(names = "--real", paramLabel = "FILE",
      description = "Features of real images (.npy), or an evaluate statistics cache file real-*.zip [fid.real].")
  String real;

  @Option(names = "--fake", paramLabel = "FILE", description = "Features of generated images (.npy or .zip) [fid.fake].")
  String fake;

  @Override
  public Integer call() throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    ConfigOptions.option(o, "--real", "fid.real", real);
    ConfigOptions.option(o, "--fake", "fid.fake", fake);
    ResolvedConfig resolved = config.resolve(o);
    if (config.printIfDryRun(resolved)) {
      return 0;
    }
    FidConfig c = resolved.config().fid();
    if (c.real().isBlank() || c.fake().isBlank()) {
      throw new IllegalArgumentException("fid needs --real and --fake feature files (fid.real, fid.fake)");
    }
    Configuration hadoop = new Configuration();
    FeatureFiles.FeatureSet realSet = FeatureFiles.readSet(c.real(), hadoop);
    FeatureFiles.FeatureSet fakeSet = FeatureFiles.readSet(c.fake(), hadoop);
    INDArray r = realSet.features();
    INDArray f = fakeSet.features();
    if (r.size(1) != f.size(1)) {
      throw new IllegalArgumentException("feature dimensions differ: " + c.real() + " has " + r.size(1) + ", "
          + c.fake() + " has " + f.size(1));
    }
    long seed = c.seed() >= 0 ? c.seed() : resolved.config().seed();
    FrechetDistance.Result fid = FrechetDistance.between(realSet.moments(), fakeSet.moments());
    KernelInceptionDistance.Result kid = KernelInceptionDistance.of(r, f, c.kidSubsets(), c.kidSubsetSize(), seed);
    PrecisionRecall.Result pr = PrecisionRecall.of(r, f, c.k());
    double swd = SlicedWasserstein.of(r, f, SWD_REPEATS, SWD_DIRECTIONS, seed);
    System.out.printf(Locale.ROOT, "real: %d x %d (%s), fake: %d x %d (%s)%n", r.size(0), r.size(1),
        realSet.description(), f.size(0), f.size(1), fakeSet.description());
    if (r.size(0) <= r.size(1) || f.size(0) <= f.size(1)) {
      System.out.println("warning: a set has no more images than feature dimensions; its covariance is rank deficient"
          + " and FID is biased upwards (use N > d)");
    }
    System.out.printf(Locale.ROOT, "fid %.6f%n", fid.value());
    System.out.printf(Locale.ROOT, "kid %.6g +- %.6g (%d subsets of %d, seed %d)%n", kid.mean(), kid.std(), kid.subsets(),
        kid.subsetSize(), seed);
    System.out.printf(Locale.ROOT, "precision %.6f%nrecall %.6f (k = %d)%n", pr.precision(), pr.recall(), pr.k());
    System.out.printf(Locale.ROOT, "swd %.6f (%d repeats x %d directions)%n", swd, SWD_REPEATS, SWD_DIRECTIONS);
    return 0;
  }
}
