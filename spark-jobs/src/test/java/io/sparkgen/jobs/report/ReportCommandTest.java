package io.sparkgen.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sparkgen report}: help, dry run with every option, refusals. */
class ReportCommandTest {

  @TempDir Path tmp;

  private static Object[] cli(String... args) {
    return Cli.run(args);
  }

  @Test
  void helpListsTheOptions() {
    Object[] help = cli("report", "--help");
    assertEquals(0, help[0]);
    for (String option : new String[] {"--runs", "--out", "--label", "--bench-results", "--dry-run", "--overwrite"}) {
      assertTrue(((String) help[1]).contains(option), option + " in\n" + help[1]);
    }
    assertTrue(((String) cli("--help")[1]).contains("report"));
  }

  @Test
  void dryRunResolvesOptionsIntoTheReportSectionAndWritesNothing() {
    Path out = tmp.resolve("never");
    Object[] r = cli("report", "--dry-run", "--runs", "runs/a,runs/b", "--runs", "hdfs://nn/x", "--out", out.toString(),
        "--label", "a=<script>\"x\"</script>", "--bench-results", "bench/results/results.csv", "--title", "T \"1\"");
    assertEquals(0, r[0], (String) r[2]);
    String text = (String) r[1];
    assertTrue(text.contains("report {"), text);
    assertTrue(text.contains("\"runs/a\""), text);
    assertTrue(text.contains("\"hdfs://nn/x\""), text);
    assertTrue(text.contains("<script>\\\"x\\\"</script>"), "the label survives quoting: " + text);
    assertTrue(text.contains("bench-results = \"bench/results/results.csv\""), text);
    assertTrue(text.contains("# config hash: "), text);
    assertFalse(Files.exists(out));
  }

  @Test
  void refusesMissingRunsAndAnExistingOutput() throws Exception {
    Path empty = tmp.resolve("empty");
    Files.createDirectories(empty);
    Object[] none = cli("report", "--master", "local[1]", "--runs", empty.toString(), "--out",
        tmp.resolve("r").toString());
    assertEquals(3, none[0], (String) none[2]);
    assertTrue(((String) none[2]).contains("is no run directory"), (String) none[2]);

    Object[] exists = cli("report", "--master", "local[1]", "--runs", empty.toString(), "--out", empty.toString());
    assertEquals(3, exists[0], (String) exists[2]);
    assertTrue(((String) exists[2]).contains("already exists"), (String) exists[2]);
  }

  @Test
  void invalidSettingsAreConfigErrors() {
    Object[] r = cli("report", "--dry-run", "--set", "report.grids-per-run=0");
    assertEquals(2, r[0]);
    assertTrue(((String) r[2]).contains("grids-per-run"), (String) r[2]);
  }
}
