package io.sparkgen.jobs.eval;

import io.sparkgen.jobs.config.Check;
import io.sparkgen.jobs.config.Doc;

/** Configuration of {@code sparkgen fid}: metrics between two feature files. */
public record FidConfig(
    @Doc("Features of real images: a float .npy [n, d], or an evaluate statistics cache file real-*.zip "
        + "(Hadoop URI or local path).") String real,
    @Doc("Features of generated images: a float .npy [n, d].") String fake,
    @Doc("KID: number of random subsets.") int kidSubsets,
    @Doc("KID: images per subset (capped at the smaller set).") int kidSubsetSize,
    @Doc("Precision/recall: the k of the k-NN radii.") int k,
    @Doc("Seed of the KID subsets; -1: the master seed.") long seed) {

  public FidConfig {
    Check.that(kidSubsets > 0, "kid-subsets", kidSubsets, "must be > 0");
    Check.that(kidSubsetSize > 1, "kid-subset-size", kidSubsetSize, "must be > 1");
    Check.that(k > 0, "k", k, "must be > 0");
    Check.that(seed >= -1, "seed", seed, "must be >= 0, or -1 for the master seed");
  }

  public static FidConfig defaults() {
    return new FidConfig("", "", 100, 1000, 3, -1);
  }
}
