package io.sparkgen.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.testing.Cli;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI: help, version, dry run, exit codes and messages. */
class MainTest {

  @TempDir Path tmp;

  private static Object[] cli(String... args) {
    return Cli.run(args);
  }

  @Test
  void helpAndVersion() {
    Object[] help = cli("--help");
    assertEquals(0, help[0]);
    assertTrue(((String) help[1]).contains("shard"), (String) help[1]);
    Object[] shardHelp = cli("shard", "--help");
    assertEquals(0, shardHelp[0]);
    assertTrue(((String) shardHelp[1]).contains("--on-bad-input"));
    assertTrue(((String) shardHelp[1]).contains("--dry-run"));
    Object[] version = cli("--version");
    assertEquals(0, version[0]);
    assertTrue(((String) version[1]).startsWith("sparkgen 0."), (String) version[1]);
    assertTrue(((String) version[1]).contains("dl4j: 1.0.0-M2.1"));
  }

  @Test
  void dryRunPrintsTheResolvedConfigAndWritesNothing() {
    Path out = tmp.resolve("never");
    Object[] r = cli("shard", "--dry-run", "--output", out.toString(), "--on-bad-input", "skip", "--size", "32x30",
        "--resize", "scale", "--set", "seed=5");
    assertEquals(0, r[0], (String) r[2]);
    String text = (String) r[1];
    assertTrue(text.contains("output = \"" + out + "\""), text);
    assertTrue(text.contains("on-bad-input = skip"));
    assertTrue(text.contains("height = 32") && text.contains("width = 30"));
    assertTrue(text.contains("seed = 5"));
    assertTrue(text.contains("# config hash: "));
    assertTrue(!Files.exists(out));
  }

  @Test
  void everyCommandHasHelpAndDryRun() {
    picocli.CommandLine cli = new picocli.CommandLine(new Main());
    assertTrue(cli.getSubcommands().keySet().containsAll(java.util.List.of("shard", "train", "bench")));
    cli.getSubcommands().forEach((name, sub) -> {
      if (!name.equals("help")) {
        assertTrue(sub.getCommandSpec().findOption("--dry-run") != null, name + " has no --dry-run");
        assertTrue(sub.getCommandSpec().findOption("--help") != null, name + " has no --help");
      }
    });
    Object[] train = cli("train", "--dry-run", "--model", "gan", "--set", "train.model.config={noise-dim = 8}");
    assertEquals(0, train[0], (String) train[2]);
    assertTrue(((String) train[1]).contains("family = \"gan\""), (String) train[1]);
    assertTrue(((String) train[1]).contains("config = {\"noise-dim\" = 8}"), (String) train[1]);
  }

  @Test
  void configErrorsExitWithUsageCode() {
    Object[] r = cli("shard", "--dry-run", "--set", "shard.outptu=x");
    assertEquals(2, r[0]);
    assertTrue(((String) r[2]).startsWith("sparkgen shard: error: unknown config key 'shard.outptu'"), (String) r[2]);
    Object[] size = cli("shard", "--dry-run", "--size", "32");
    assertEquals(2, size[0]);
    assertTrue(((String) size[2]).contains("--size 32 must be HEIGHTxWIDTH"), (String) size[2]);
  }

  @Test
  void shardRunsAndBadInputExitsWithItsCode() {
    TestSpark.session(); // the CLI reuses the running session
    Fixtures.idx(tmp.resolve("in"), "train", 40, 5, 5, true);
    Path out = tmp.resolve("out");
    Object[] ok = cli("shard", "--input", tmp.resolve("in").toString(), "--output", out.toString(), "--test-fraction", "0.25");
    assertEquals(0, ok[0], (String) ok[2]);
    assertTrue(((String) ok[1]).startsWith("sharded 40 images"), (String) ok[1]);
    assertTrue(((String) ok[1]).contains("manifest: file:" + out + "/manifest.json"), (String) ok[1]);

    Object[] exists = cli("shard", "--input", tmp.resolve("in").toString(), "--output", out.toString());
    assertEquals(3, exists[0]);
    assertTrue(((String) exists[2]).contains("already exists"), (String) exists[2]);

    Fixtures.write(tmp.resolve("bad/c0/x.png"), "nope".getBytes(), false);
    Object[] bad = cli("shard", "--format", "image-folder", "--input", tmp.resolve("bad").toString(), "--output",
        tmp.resolve("o2").toString());
    assertEquals(3, bad[0]);
    assertTrue(((String) bad[2]).contains("x.png: not a PNG or JPEG image"), (String) bad[2]);
  }
}
