package io.sparkgen.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.config.ConfigError;
import io.sparkgen.jobs.config.ConfigLoader;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.image.ImageCodec;
import io.sparkgen.jobs.image.RawImage;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import io.sparkgen.jobs.testing.TestSpark;
import io.sparkgen.model.checkpoint.Checkpoint;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.gan.GanConfig;
import io.sparkgen.model.gan.GanFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The train job end to end on a tiny VAE: run directory contents, resume equals an uninterrupted run, refusals. */
class TrainJobTest {

  @TempDir static Path tmp;
  private static Path data;

  @BeforeAll
  static void shards() {
    Fixtures.idx(tmp.resolve("in"), "train", 80, 8, 8, false);
    data = tmp.resolve("shards");
    Shards.run("input.format=idx", "input.paths=[\"" + tmp.resolve("in") + "\"]", "output=" + data,
        "shards.train=2", "split.test-fraction=0");
  }

  /** Config of a tiny VAE; 2 workers x 2 steps x batch 4 = 16 images per round. */
  private static ResolvedConfig config(Path runDir, long totalImages, String... extra) {
    List<String> sets = new ArrayList<>(List.of(
        "train.data=" + data, "train.run-dir=" + runDir, "train.model.family=vae",
        "train.model.config={latent-dim = 2, label-embedding-dim = 2, encoder-channels = [4, 4], "
            + "decoder-base-channels = 4, decoder-channels = [4, 4]}",
        "train.batch-size=4", "train.averaging-frequency=2", "train.total-images=" + totalImages,
        "train.checkpoint-every-rounds=2", "train.sample-grid-images=9"));
    sets.addAll(List.of(extra));
    return ConfigLoader.load(List.of(), sets, Map.of());
  }

  private static AveragedState train(ResolvedConfig config) throws Exception {
    return new TrainJob(TestSpark.session(), config).run();
  }

  @Test
  void writesConfigStatsCheckpointsAndSampleGrids() throws Exception {
    Path run = tmp.resolve("run");
    AveragedState state = train(config(run, 48)); // 3 rounds
    assertEquals(6, state.step());
    assertTrue(Files.isRegularFile(run.resolve("config.conf")));
    List<String> stats = Files.readAllLines(run.resolve("stats.csv"));
    assertEquals(4, stats.size(), String.join("\n", stats));
    assertTrue(stats.get(0).startsWith("round,step,images_seen,wall_seconds,worker_compute_seconds,images_per_second,workers,"));
    assertTrue(stats.get(3).startsWith("3,6,48,"), stats.get(3));
    // Checkpoints after round 2 (step 4) and the last round (step 6).
    assertTrue(Files.isRegularFile(run.resolve("checkpoints/ckpt-000000000004.zip")));
    assertTrue(Files.isRegularFile(run.resolve("checkpoints/ckpt-000000000006.zip")));
    RawImage grid = ImageCodec.decode(Files.readAllBytes(run.resolve("samples/samples-000000000006.png")));
    // 9 images of 8x8 in 3 columns with 2-pixel padding: 3*8 + 4*2 = 32.
    assertEquals("32x32x1", grid.shape());
    Checkpoint last = Checkpoint.read(run.resolve("checkpoints/ckpt-000000000006.zip"));
    assertEquals(6, last.metadata().step());
    assertArrayEquals(state.values().get("param/" + firstParam(state).substring(6)), last.arrays()
        .get(firstParam(state)).dup('c').data().asFloat(), 0f);
    try (Stream<Path> files = Files.list(run.resolve("checkpoints"))) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(".tmp-")), "no temporary files left");
    }
  }

  @Test
  void resumeContinuesExactlyAsAnUninterruptedRun() throws Exception {
    AveragedState whole = train(config(tmp.resolve("whole"), 64)); // 4 rounds
    Path resumed = tmp.resolve("resumed");
    train(config(resumed, 32)); // 2 rounds, checkpoint at step 4
    AveragedState continued = train(config(resumed, 64, "train.resume=true"));
    assertEquals(whole.step(), continued.step());
    whole.values().forEach((name, values) -> assertArrayEquals(values, continued.values().get(name), 0f, name));
    List<String> stats = Files.readAllLines(resumed.resolve("stats.csv"));
    assertEquals(5, stats.size(), "rounds 1-2 kept, 3-4 appended: " + String.join("\n", stats));
  }

  @Test
  void refusesAnExistingRunWithoutResumeAndBadModelConfig() throws Exception {
    Path run = tmp.resolve("existing");
    train(config(run, 32));
    ConfigError exists = assertThrows(ConfigError.class, () -> train(config(run, 32)));
    assertTrue(exists.getMessage().contains("already holds checkpoints; pass --resume"), exists.getMessage());

    ConfigError unknown = assertThrows(ConfigError.class,
        () -> train(config(tmp.resolve("bad"), 32, "train.model.config={latent-dims = 3}")));
    assertTrue(unknown.getMessage().startsWith("train.model (family vae): "), unknown.getMessage());
    assertTrue(unknown.getMessage().contains("latentDims"), unknown.getMessage());

    ConfigError changed = assertThrows(ConfigError.class, () -> train(config(run, 48, "train.resume=true",
        "train.model.config={latent-dim = 3, label-embedding-dim = 2, encoder-channels = [4, 4], "
            + "decoder-base-channels = 4, decoder-channels = [4, 4]}")));
    assertTrue(changed.getMessage().startsWith("cannot resume from "), changed.getMessage());
    assertTrue(changed.getMessage().contains("latentDim: checkpoint 2, now 3"), changed.getMessage());

    // Another learning rate is allowed (retrain fine-tunes so); another loss on the same arrays is not.
    train(config(run, 48, "train.resume=true", "train.model.config={latent-dim = 2, label-embedding-dim = 2, "
        + "encoder-channels = [4, 4], decoder-base-channels = 4, decoder-channels = [4, 4], optimizer.learning-rate = 0.5}"));
    GanFamily gan = new GanFamily();
    GanConfig nonSaturating = gan.defaultConfig();
    GanConfig wgan = gan.readConfig(Configs.MAPPER.createObjectNode().put("loss", "wgan-gp"));
    assertTrue(TrainJob.modelDifferences(nonSaturating, wgan).contains("loss: checkpoint \"non-saturating\", now "
        + "\"wgan-gp\""), TrainJob.modelDifferences(nonSaturating, wgan));
    GanConfig fasterD = gan.readConfig(Configs.MAPPER.createObjectNode().set("discriminatorOptimizer",
        Configs.MAPPER.createObjectNode().put("learningRate", 1e-3)));
    assertEquals("", TrainJob.modelDifferences(nonSaturating, fasterD));

    ConfigError resumeNothing = assertThrows(ConfigError.class,
        () -> train(config(tmp.resolve("empty"), 32, "train.resume=true")));
    assertTrue(resumeNothing.getMessage().contains("holds no complete checkpoint"), resumeNothing.getMessage());
  }

  private static String firstParam(AveragedState state) {
    return state.values().keySet().stream().filter(n -> n.startsWith("param/")).findFirst().orElseThrow();
  }
}
