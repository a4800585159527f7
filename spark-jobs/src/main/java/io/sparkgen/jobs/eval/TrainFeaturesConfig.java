package io.sparkgen.jobs.eval;

import io.sparkgen.jobs.config.Check;
import io.sparkgen.jobs.config.Doc;
import java.util.List;

/** Configuration of {@code sparkgen train-features}: the domain feature network. */
public record TrainFeaturesConfig(
    @Doc("Shard set to train on (its train split; its test split measures the accuracy).") String data,
    @Doc("Output file (Hadoop URI or local path), written atomically.") String output,
    @Doc("Channels of the 3x3 ReLU convolutions (stride 1, then 2); the last is the feature dimension.")
        List<Integer> channels,
    @Doc("Training images: the first N of the train split in shard order; 0: all.") long trainImages,
    @Doc("Passes over the training images.") int epochs,
    @Doc("Images per Adam step.") int batchSize,
    @Doc("Adam step size.") double learningRate,
    @Doc("Replace an existing output file.") boolean overwrite) {

  public TrainFeaturesConfig {
    Check.that(!data.isBlank(), "data", data, "must name a shard set");
    Check.that(!output.isBlank(), "output", output, "must name the output file");
    Check.that(!channels.isEmpty() && channels.stream().allMatch(c -> c > 0), "channels", channels,
        "must list positive channel counts");
    Check.that(trainImages >= 0, "train-images", trainImages, "must be >= 0 (0: all)");
    Check.that(epochs > 0, "epochs", epochs, "must be > 0");
    Check.that(batchSize > 0, "batch-size", batchSize, "must be > 0");
    Check.that(learningRate > 0, "learning-rate", learningRate, "must be > 0");
    channels = List.copyOf(channels);
  }

  public static TrainFeaturesConfig defaults() {
    return new TrainFeaturesConfig("data/fashion-mnist", "features/fashion-mnist-domain.zip", List.of(16, 32, 64), 0, 2, 128,
        2e-3, false);
  }
}
