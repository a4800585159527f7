package io.sparkgen.jobs.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.shard.ShardManifest;
import io.sparkgen.jobs.shard.ShardSet;
import io.sparkgen.jobs.testing.ChildJvm;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import io.sparkgen.jobs.testing.TestSpark;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard job killed at any point leaves no complete-looking output: the target directory either
 * does not exist or is a whole shard set. Each kill happens in a separate JVM running the real CLI.
 */
class AtomicCommitTest {

  @TempDir Path tmp;

  /** Starts {@code sparkgen shard} in a child JVM with the test classpath and JVM flags. */
  private Process shard(Path input, Path output, String failpoint, String... extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("shard", "--master", "local[2]", "--input", input.toString(),
        "--output", output.toString(), "--set", "spark.conf={\"spark.ui.enabled\"=\"false\"}"));
    args.addAll(List.of(extra));
    return ChildJvm.start(tmp.resolve("child-" + System.nanoTime() + ".log"),
        failpoint == null ? List.of() : List.of("-Dsparkgen.failpoint=" + failpoint), args.toArray(String[]::new));
  }

  @Test
  void killedAtEachFailpointLeavesNoOutput() throws Exception {
    Path input = tmp.resolve("in");
    Fixtures.idx(input, "train", 500, 8, 8, true);
    for (String failpoint : List.of("shard.after-write", "shard.before-commit", "commit.before-rename")) {
      Path output = tmp.resolve("out-" + failpoint);
      Process child = shard(input, output, failpoint);
      assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child JVM did not stop");
      assertEquals(137, child.exitValue(), "halted at " + failpoint);
      assertFalse(Files.exists(output), failpoint + ": the output must not exist");
      assertEquals(1, staging(output).size(), "the hidden staging directory is what remains");
    }
    // A later run succeeds beside the leftover staging directory.
    Path output = tmp.resolve("out-shard.before-commit");
    ShardManifest m = Shards.run("input.format=idx", "input.paths=[\"" + input + "\"]", "output=" + output);
    assertEquals(500, m.images());
  }

  @Test
  void sigkillWhileWritingLeavesNothingOrAWholeShardSet() throws Exception {
    Path input = tmp.resolve("in");
    Fixtures.idx(input, "train", 3000, 16, 16, true);
    int killedBeforeCommit = 0;
    for (long delay : new long[] {0, 300}) {
      Path output = tmp.resolve("out-" + delay);
      Process child = shard(input, output, null);
      long deadline = System.currentTimeMillis() + 120_000;
      while (staging(output).isEmpty() && child.isAlive() && System.currentTimeMillis() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(delay);
      child.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
      assertTrue(child.waitFor(60, TimeUnit.SECONDS));
      if (Files.exists(output)) {
        // The kill came after the commit: then the set must be whole.
        ShardSet set = ShardSet.open(output.toString(), TestSpark.session().sparkContext().hadoopConfiguration());
        assertEquals(3000, set.manifest().images());
      } else {
        assertEquals(1, staging(output).size(), "killed while writing: only the hidden staging directory remains");
        killedBeforeCommit++;
      }
    }
    assertTrue(killedBeforeCommit > 0, "no kill landed before the commit; the test proved nothing");
  }

  @Test
  void overwriteReplacesAWholeSetWithAWholeSet() throws Exception {
    Path input = tmp.resolve("in");
    Fixtures.idx(input, "train", 100, 4, 4, false);
    Path output = tmp.resolve("out");
    Shards.run("input.format=idx", "input.paths=[\"" + input + "\"]", "output=" + output, "split.test-fraction=0.5");
    ShardManifest replaced = Shards.run("input.format=idx", "input.paths=[\"" + input + "\"]", "output=" + output,
        "split.test-fraction=0.1", "overwrite=true");
    ShardSet set = ShardSet.open(output.toString(), TestSpark.session().sparkContext().hadoopConfiguration());
    assertEquals(replaced.runId(), set.manifest().runId());
    assertEquals(0.1, set.manifest().config().get("shard") instanceof java.util.Map<?, ?> m
        ? ((Number) ((java.util.Map<?, ?>) m.get("split")).get("test-fraction")).doubleValue() : -1, 0);
    try (Stream<Path> files = Files.list(tmp)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".out.")), "no leftovers");
    }
  }

  @Test
  void aShardSetWithAMissingShardIsRefused() throws Exception {
    Path input = tmp.resolve("in");
    Fixtures.idx(input, "train", 100, 4, 4, false);
    Path output = tmp.resolve("out");
    ShardManifest m = Shards.run("input.format=idx", "input.paths=[\"" + input + "\"]", "output=" + output);
    Files.delete(output.resolve(m.train().shards().get(0).file()));
    IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
        () -> ShardSet.open(output.toString(), TestSpark.session().sparkContext().hadoopConfiguration()));
    assertTrue(e.getMessage().contains("train/shard-00000.parquet listed in the manifest is missing"), e.getMessage());
  }

  private List<File> staging(Path output) throws IOException {
    try (Stream<Path> files = Files.list(output.getParent())) {
      return files.filter(p -> p.getFileName().toString().startsWith("." + output.getFileName() + ".staging-"))
          .map(Path::toFile).toList();
    }
  }
}
