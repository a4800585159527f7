package io.sparkgen.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.config.ConfigLoader;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.testing.ChildJvm;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import io.sparkgen.jobs.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver killed with SIGKILL in the middle of a run (a child JVM running the real CLI), then
 * {@code --resume}: the final parameters equal those of an uninterrupted run with the same seed.
 */
class TrainFaultTest {

  private static final String MODEL = "{latent-dim = 2, label-embedding-dim = 2, encoder-channels = [4, 4], "
      + "decoder-base-channels = 4, decoder-channels = [4, 4]}";
  private static final int ROUNDS = 16;

  @TempDir Path tmp;

  /** --set overrides: 2 workers x 2 steps x batch 4 = 16 images a round, a checkpoint every round. */
  private List<String> sets(Path data, Path runDir) {
    return List.of("train.data=" + data, "train.run-dir=" + runDir, "train.model.family=vae",
        "train.model.config=" + MODEL, "train.batch-size=4", "train.averaging-frequency=2",
        "train.total-images=" + 16 * ROUNDS, "train.checkpoint-every-rounds=1", "train.sample-grid-images=4");
  }

  @Test
  void driverKilledMidRunThenResumedEqualsAnUninterruptedRun() throws Exception {
    Fixtures.idx(tmp.resolve("in"), "train", 80, 8, 8, false);
    Path data = tmp.resolve("shards");
    Shards.run("input.format=idx", "input.paths=[\"" + tmp.resolve("in") + "\"]", "output=" + data,
        "shards.train=2", "split.test-fraction=0");

    AveragedState whole = new TrainJob(TestSpark.session(),
        ConfigLoader.load(List.of(), sets(data, tmp.resolve("whole")), Map.of())).run();

    Path run = tmp.resolve("killed");
    List<String> args = new ArrayList<>(List.of("train", "--master", "local[2]"));
    for (String set : sets(data, run)) {
      args.addAll(List.of("--set", set));
    }
    args.addAll(List.of("--set", "spark.conf={\"spark.ui.enabled\"=\"false\"}"));
    Process driver = ChildJvm.start(tmp.resolve("driver.log"), List.of(), args.toArray(String[]::new));
    Path third = run.resolve("checkpoints/ckpt-000000000006.zip");
    long deadline = System.currentTimeMillis() + 180_000;
    while (!Files.exists(third) && driver.isAlive() && System.currentTimeMillis() < deadline) {
      Thread.sleep(2);
    }
    boolean aliveAtKill = driver.isAlive();
    driver.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
    assertTrue(driver.waitFor(60, TimeUnit.SECONDS));
    assertTrue(aliveAtKill && Files.exists(third),
        "the kill must land mid-run, after the third checkpoint:\n" + Files.readString(tmp.resolve("driver.log")));
    assertTrue(!Files.exists(run.resolve(String.format("checkpoints/ckpt-%012d.zip", 2 * ROUNDS))),
        "the killed run must not have finished");

    ResolvedConfig resume = ConfigLoader.load(List.of(), concat(sets(data, run), "train.resume=true"), Map.of());
    AveragedState resumed = new TrainJob(TestSpark.session(), resume).run();
    assertEquals(whole.step(), resumed.step());
    whole.values().forEach((name, values) -> assertArrayEquals(values, resumed.values().get(name), 1e-6f, name));

    // Each round appears once in the stats table, in order, whatever the kill left behind.
    List<String> stats = Files.readAllLines(run.resolve("stats.csv"));
    assertEquals(ROUNDS + 1, stats.size(), String.join("\n", stats));
    for (int r = 1; r <= ROUNDS; r++) {
      assertTrue(stats.get(r).startsWith(r + "," + 2 * r + "," + 16 * r + ","), stats.get(r));
    }
  }

  private static List<String> concat(List<String> list, String extra) {
    List<String> out = new ArrayList<>(list);
    out.add(extra);
    return out;
  }
}
