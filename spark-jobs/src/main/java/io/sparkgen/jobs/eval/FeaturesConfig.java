package io.sparkgen.jobs.eval;

import io.sparkgen.jobs.config.Check;
import io.sparkgen.jobs.config.Doc;

/** Configuration of {@code sparkgen features}. */
public record FeaturesConfig(
    @Doc("Images: a shard set, a uint8 .npy [N, H, W, C] (as sparkgen sample writes), or a folder of PNG/JPEG files.")
        String input,
    @Doc("Shard sets only: the split, test or train.") String split,
    @Doc("Images to use: the first N (shard order, array order, or file names sorted); 0: all.") long count,
    @Doc("Feature extractor file: a sparkgen train-features output (kind domain) or an .npz of Inception "
        + "weights (kind inception).") String extractor,
    @Doc("Kind of the extractor file: domain (sparkgen train-features) or inception (pytorch-fid's FID "
        + "Inception-v3 weights as .npz; 299x299 RGB, slow on CPU).") String extractorKind,
    @Doc("Output .npy [N, d] float32 (Hadoop URI or local path), written atomically; logits go beside it as "
        + "<name>-logits.npy where the extractor has them.") String output,
    @Doc("Images per network call on an executor.") int batchSize,
    @Doc("Spark partitions; 0: enough for every core.") int partitions) {

  public FeaturesConfig {
    Check.that(split.equals("test") || split.equals("train"), "split", split, "must be test or train");
    Check.that(count >= 0, "count", count, "must be >= 0 (0: all)");
    Check.that(extractorKind.equals("domain") || extractorKind.equals("inception"), "extractor-kind", extractorKind,
        "must be domain or inception");
    Check.that(batchSize > 0, "batch-size", batchSize, "must be > 0");
    Check.that(partitions >= 0, "partitions", partitions, "must be >= 0");
  }

  public static FeaturesConfig defaults() {
    return new FeaturesConfig("", "test", 0, "features/fashion-mnist-domain.zip", "domain", "", 256, 0);
  }
}
