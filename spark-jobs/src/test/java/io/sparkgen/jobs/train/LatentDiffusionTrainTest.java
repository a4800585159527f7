package io.sparkgen.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.config.ConfigError;
import io.sparkgen.jobs.config.ConfigLoader;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import io.sparkgen.jobs.testing.TestSpark;
import io.sparkgen.model.checkpoint.Checkpoint;
import io.sparkgen.model.provenance.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A family that builds on a checkpoint (latent diffusion on a VAE) through the train job: only the
 * driver reads the VAE checkpoint; two workers train on the broadcast copy of it; the result is
 * self-contained and names what it was built on.
 */
class LatentDiffusionTrainTest {

  @TempDir static Path tmp;
  private static Path data;
  private static Path vaeRun;

  @BeforeAll
  static void shardsAndAutoencoder() throws Exception {
    Fixtures.idx(tmp.resolve("in"), "train", 40, 8, 8, false);
    data = tmp.resolve("shards");
    Shards.run("input.format=idx", "input.paths=[\"" + tmp.resolve("in") + "\"]", "output=" + data,
        "shards.train=2", "split.test-fraction=0");
    vaeRun = tmp.resolve("vae");
    train(vaeRun, 32, "vae", "{latent-dim = 3, encoder-channels = [4, 4], decoder-base-channels = 4, decoder-channels = [4, 4]}");
  }

  /** 2 workers x 2 steps x batch 4 = 16 images per round. */
  private static AveragedState train(Path runDir, long totalImages, String family, String model, String... extra)
      throws Exception {
    List<String> sets = new ArrayList<>(List.of(
        "train.data=" + data, "train.run-dir=" + runDir, "train.model.family=" + family, "train.model.config=" + model,
        "train.batch-size=4", "train.averaging-frequency=2", "train.total-images=" + totalImages,
        "train.checkpoint-every-rounds=2", "train.sample-grid-images=4"));
    sets.addAll(List.of(extra));
    ResolvedConfig config = ConfigLoader.load(List.of(), sets, Map.of());
    return new TrainJob(TestSpark.session(), config).run();
  }

  @Test
  void trainsOnTheNewestVaeCheckpointOfARunAndCarriesItsWeightsUnchanged() throws Exception {
    Path run = tmp.resolve("ld");
    train(run, 32, "latent-diffusion", "{autoencoder = \"" + vaeRun + "\", width = 8, blocks = 1, groups = 2, "
        + "time-feature-dim = 8, time-embedding-dim = 8, timesteps = 20, sampler-steps = 4}");
    Path vaeFile = vaeRun.resolve("checkpoints/ckpt-000000000004.zip");
    Checkpoint vae = Checkpoint.read(vaeFile);
    Checkpoint ld = Checkpoint.read(run.resolve("checkpoints/ckpt-000000000004.zip"));
    // After two rounds of averaging over two workers, the autoencoder is still the VAE's EMA bit for bit.
    assertTrue(ld.arrays().group("buffer").group("vae").sameValues(vae.ema()), "the frozen autoencoder changed");
    assertTrue(ld.parameters().names().stream().noneMatch(n -> n.startsWith("vae/")));
    String sha = Hashes.sha256Hex(Files.readAllBytes(vaeFile));
    String resolved = ld.metadata().config().get("autoencoder").asText();
    assertEquals(vaeFile.toUri().getPath(), new org.apache.hadoop.fs.Path(resolved).toUri().getPath());
    assertEquals(sha, ld.metadata().config().get("autoencoderSha256").asText());
    assertEquals(Map.of("autoencoder", resolved + " sha256:" + sha), ld.metadata().provenance().inputs());
    assertTrue(Files.isRegularFile(run.resolve("samples/samples-000000000004.png")));
  }

  @Test
  void resumingOnAVaeRunThatHasMovedOnIsRefusedUnlessTheFileIsPinned() throws Exception {
    Path vae = tmp.resolve("vae-moving");
    String vaeModel = "{latent-dim = 3, encoder-channels = [4, 4], decoder-base-channels = 4, decoder-channels = [4, 4]}";
    train(vae, 16, "vae", vaeModel);
    Path run = tmp.resolve("ld-moving");
    String model = "{autoencoder = \"%s\", width = 8, blocks = 1, groups = 2, time-feature-dim = 8, "
        + "time-embedding-dim = 8, timesteps = 20, sampler-steps = 4}";
    train(run, 16, "latent-diffusion", String.format(model, vae));
    train(vae, 32, "vae", vaeModel, "train.resume=true"); // the VAE run's newest checkpoint is now another file
    ConfigError moved = assertThrows(ConfigError.class,
        () -> train(run, 32, "latent-diffusion", String.format(model, vae), "train.resume=true"));
    assertTrue(moved.getMessage().startsWith("cannot resume from ") && moved.getMessage().contains("autoencoderSha256: "),
        moved.getMessage());
    AveragedState pinned = train(run, 32, "latent-diffusion",
        String.format(model, vae.resolve("checkpoints/ckpt-000000000002.zip")), "train.resume=true");
    assertEquals(4, pinned.step());
  }

  @Test
  void refusesAMissingAutoencoderNamingIt() {
    ConfigError none = assertThrows(ConfigError.class,
        () -> train(tmp.resolve("none"), 16, "latent-diffusion", "{width = 8}"));
    assertTrue(none.getMessage().startsWith("train.model (family latent-diffusion): autoencoder must name a trained VAE"),
        none.getMessage());
    ConfigError empty = assertThrows(ConfigError.class,
        () -> train(tmp.resolve("empty"), 16, "latent-diffusion", "{autoencoder = \"" + tmp.resolve("nothing") + "\"}"));
    assertTrue(empty.getMessage().contains("holds no checkpoint"), empty.getMessage());
  }
}
