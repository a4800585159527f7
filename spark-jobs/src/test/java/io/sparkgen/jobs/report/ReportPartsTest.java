package io.sparkgen.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparkgen.jobs.eval.MetricRow;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stats arithmetic (wall time, core-hours, compute share), metric columns and best values, grid selection. */
class ReportPartsTest {

  private static final String STATS = """
      round,step,images_seen,wall_seconds,worker_compute_seconds,images_per_second,workers,d_loss,g_loss
      1,2,16,2.0,3.0,8.0,2,1.5,0.7
      2,4,32,1.0,1.0,16.0,2,1.4,
      3,6,48,3.0,4.0,5.3,4,1.3,0.6
      """;

  @Test
  void statsTotalsAndShares() {
    StatsTable s = StatsTable.parse(STATS, "stats.csv");
    assertEquals(List.of("d_loss", "g_loss"), s.metricColumns());
    assertEquals(48, s.imagesSeen());
    assertEquals(6.0, s.totalWallSeconds(), 1e-12);
    // (2 x 2 + 2 x 1 + 4 x 3) / 3600
    assertEquals(18.0 / 3600, s.totalCoreHours(), 1e-15);
    // mean per-worker compute (1.5 + 0.5 + 1.0) over wall 6
    assertEquals(0.5, s.computeShare(), 1e-12);
    assertEquals(3.0, s.wallSecondsAtStep(4), 1e-12);
    assertEquals(Double.NaN, s.wallSecondsAtStep(5));
    assertEquals(Double.NaN, s.column("g_loss")[1], "an empty cell is NaN");
    assertThrows(IllegalArgumentException.class, () -> StatsTable.parse("step,round\n1,2\n", "x"));
    assertThrows(IllegalArgumentException.class, () -> StatsTable.parse(STATS.replace("1.4", "abc"), "x"));
  }

  private static MetricRow row(String metric, long step, double value, String hash, long nFake) {
    return new MetricRow("r", "file:/r", "gan", step, step * 8, metric, value, Double.NaN, 100, nFake, "x", hash, "p",
        "test", 1, "", "", "", "v", "e", "t");
  }

  @Test
  void columnsSeparateExtractorsAndCountsAndPickTheBest() {
    List<MetricRow> rows = List.of(row("fid", 2, 30, "h1", 50), row("fid", 4, 20, "h1", 50), row("fid", 6, 25, "h1", 50),
        row("fid", 4, 10, "h2", 50), row("fid", 4, 40, "h1", 10), row("recall", 2, 0.4, "h1", 50),
        row("recall", 4, 0.6, "h1", 50), row("recall", 6, Double.NaN, "h1", 50), row("recall", 8, 0.6, "h1", 50));
    List<MetricColumn> columns = MetricColumn.columns(rows);
    assertEquals(4, columns.size(), columns.toString());
    MetricColumn fid = MetricColumn.of(rows.get(0));
    assertEquals(4, fid.best(rows).step(), "lowest FID of its own column, not h2's 10 or N=10's");
    assertEquals(20, fid.best(rows).value(), 0);
    MetricColumn recall = MetricColumn.of(rows.get(5));
    assertEquals(4, recall.best(rows).step(), "highest recall, earlier step on a tie, NaN skipped");
    assertNull(MetricColumn.of(row("kid", 1, 1, "h1", 50)).best(rows));
    assertEquals("abcdefabcdef", MetricColumn.shortHash("abcdefabcdef0123"));
    assertEquals("-", MetricColumn.shortHash(""));
  }

  @Test
  void gridsAreSpreadWithFirstAndLast() {
    List<Integer> all = List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertEquals(List.of(0, 3, 6, 9), RunLoader.spread(all, 4));
    assertEquals(List.of(0, 9), RunLoader.spread(all, 2));
    assertEquals(all, RunLoader.spread(all, 12));
  }
}
