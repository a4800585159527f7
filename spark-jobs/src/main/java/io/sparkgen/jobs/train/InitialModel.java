package io.sparkgen.jobs.train;

import io.sparkgen.jobs.config.ConfigError;
import io.sparkgen.model.BuildsOnCheckpoint;
import io.sparkgen.model.Families;
import io.sparkgen.model.Family;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.train.ImageDataset;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The driver's first model and the spec every executor builds from. For a family that builds on a
 * trained checkpoint ({@link BuildsOnCheckpoint}), the driver alone reads that checkpoint through
 * Hadoop (a {@code .zip} file, or a run directory meaning its newest checkpoint), and the spec
 * takes the config the family completed from it; executors get the checkpoint's contents in the
 * broadcast state, never the file.
 */
record InitialModel(ModelSpec spec, GenerativeModel model) {

  static InitialModel create(ModelSpec spec, Configuration hadoop, ImageDataset head) throws IOException {
    Family<?> family = Families.byId(spec.family());
    if (!(family instanceof BuildsOnCheckpoint builtOn)) {
      return new InitialModel(spec, spec.build());
    }
    GenerativeModel model;
    try {
      String named = builtOn.inputCheckpoint(spec.modelConfig());
      Path file = resolve(hadoop, named);
      byte[] bytes;
      try (InputStream in = file.getFileSystem(hadoop).open(file)) {
        bytes = in.readAllBytes();
      }
      model = builtOn.createOn(spec.modelConfig(), spec.seed(), file.toString(), bytes, head);
    } catch (IllegalArgumentException | IllegalStateException | IOException e) {
      throw new ConfigError("train.model (family " + spec.family() + "): " + e.getMessage(), e);
    }
    ModelSpec completed = new ModelSpec(spec.family(), Configs.toJson(model.config()), spec.seed(), spec.batchSize(),
        spec.totalImages(), spec.emaHalfLifeImages());
    return new InitialModel(completed, model);
  }

  /** A checkpoint file as named, or the newest checkpoint of a run directory. */
  static Path resolve(Configuration hadoop, String named) throws IOException {
    Path path = new Path(named);
    FileSystem fs = path.getFileSystem(hadoop);
    boolean file = named.endsWith(".zip");
    return RunCheckpoints.select(fs, file ? null : named, file ? named : "latest");
  }
}
