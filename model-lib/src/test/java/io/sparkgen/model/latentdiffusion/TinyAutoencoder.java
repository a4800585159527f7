package io.sparkgen.model.latentdiffusion;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.checkpoint.Checkpoint;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.train.ImageDataset;
import io.sparkgen.model.train.LocalTrainer;
import io.sparkgen.model.train.TrainConfig;
import io.sparkgen.model.vae.VaeConfig;
import io.sparkgen.model.vae.VaeFamily;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tiny VAE trained for a few steps and saved as a checkpoint in a temporary directory: the frozen
 * autoencoder of the latent diffusion tests. One per (image shape, classes), made once per JVM.
 */
record TinyAutoencoder(VaeConfig config, Path file, byte[] bytes) {

  private static final Map<String, TinyAutoencoder> MADE = new ConcurrentHashMap<>();

  static VaeConfig config(ImageShape image, int classes) {
    return new VaeConfig(image, classes, 4, 4, 3, List.of(4, 4), 4, List.of(4, 4), AdamConfig.of(2e-2, 0.9));
  }

  static TinyAutoencoder of(ImageShape image, int classes) {
    return MADE.computeIfAbsent(image + "/" + classes, k -> make(config(image, classes)));
  }

  private static TinyAutoencoder make(VaeConfig config) {
    try {
      Path dir = Files.createTempDirectory("tiny-vae");
      dir.toFile().deleteOnExit();
      Path file = dir.resolve("ckpt-vae.zip");
      LocalTrainer trainer =
          new LocalTrainer(new VaeFamily().create(config, 11L), new TrainConfig(11L, 4, 1_000L, 8.0), images(config, 8));
      for (int i = 0; i < 5; i++) {
        trainer.step();
      }
      Checkpoint.save(trainer, file);
      file.toFile().deleteOnExit();
      return new TinyAutoencoder(config, file, Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** n uniform images in [-1, 1], labels i mod classes. */
  static ImageDataset images(VaeConfig config, int n) {
    INDArray x = new Rng(5).uniform(DataType.FLOAT, -1, 1, config.image().batchShape(n));
    int[] labels = null;
    if (config.numClasses() > 0) {
      labels = new int[n];
      for (int i = 0; i < n; i++) {
        labels[i] = i % config.numClasses();
      }
    }
    return ImageDataset.of(x, labels);
  }

  /** Ones, for tests that need a constant image. */
  static INDArray ones(ImageShape image, int n) {
    return Nd4j.ones(DataType.FLOAT, image.batchShape(n));
  }
}
