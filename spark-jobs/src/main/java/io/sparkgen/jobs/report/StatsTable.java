package io.sparkgen.jobs.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A run's {@code stats.csv}: one row per averaging round, the fixed columns of the train job then
 * one column per training metric (loss, d_loss, ...), all numbers.
 */
public record StatsTable(List<String> columns, List<double[]> rows) {

  public static final List<String> FIXED = List.of("round", "step", "images_seen", "wall_seconds",
      "worker_compute_seconds", "images_per_second", "workers");

  public StatsTable {
    columns = List.copyOf(columns);
    rows = List.copyOf(rows);
  }

  public static StatsTable empty() {
    return new StatsTable(FIXED, List.of());
  }

  /** Parses stats.csv (no quoted cells: every cell is a number); an empty or missing cell is NaN. */
  public static StatsTable parse(String csv, String origin) {
    String[] lines = csv.split("\r?\n");
    if (lines.length == 0 || lines[0].isBlank()) {
      return empty();
    }
    List<String> columns = List.of(lines[0].split(","));
    if (!columns.subList(0, Math.min(columns.size(), FIXED.size())).equals(FIXED)) {
      throw new IllegalArgumentException(origin + ": header must start with " + String.join(",", FIXED) + ", found "
          + lines[0]);
    }
    List<double[]> rows = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      String[] cells = lines[i].split(",", -1);
      double[] row = new double[columns.size()];
      for (int c = 0; c < row.length; c++) {
        try {
          row[c] = c < cells.length && !cells[c].isBlank() ? Double.parseDouble(cells[c]) : Double.NaN;
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(origin + " line " + (i + 1) + ", column " + columns.get(c) + ": '"
              + cells[c] + "' is not a number", e);
        }
      }
      rows.add(row);
    }
    return new StatsTable(columns, rows);
  }

  /** The training metric columns (after the fixed ones). */
  public List<String> metricColumns() {
    return columns.subList(FIXED.size(), columns.size());
  }

  public double[] column(String name) {
    int c = columns.indexOf(name);
    if (c < 0) {
      throw new IllegalArgumentException("no column " + name + " in " + columns);
    }
    return rows.stream().mapToDouble(r -> r[c]).toArray();
  }

  /** Wall time at the end of each round, from the start of the run. */
  public double[] cumulativeWallSeconds() {
    double[] wall = column("wall_seconds");
    double sum = 0;
    for (int i = 0; i < wall.length; i++) {
      sum += wall[i];
      wall[i] = sum;
    }
    return wall;
  }

  /** Core-hours up to the end of each round: the sum of workers x wall seconds, / 3600. */
  public double[] cumulativeCoreHours() {
    double[] wall = column("wall_seconds");
    double[] workers = column("workers");
    double[] out = new double[wall.length];
    double sum = 0;
    for (int i = 0; i < wall.length; i++) {
      sum += workers[i] * wall[i] / 3600;
      out[i] = sum;
    }
    return out;
  }

  public double totalWallSeconds() {
    double[] w = cumulativeWallSeconds();
    return w.length == 0 ? 0 : w[w.length - 1];
  }

  public double totalCoreHours() {
    double[] c = cumulativeCoreHours();
    return c.length == 0 ? 0 : c[c.length - 1];
  }

  public long imagesSeen() {
    return rows.isEmpty() ? 0 : (long) rows.get(rows.size() - 1)[2];
  }

  /** Share of the wall time the workers spent computing (mean per worker): the rest is broadcast and averaging. */
  public double computeShare() {
    double wall = 0;
    double compute = 0;
    for (double[] r : rows) {
      wall += r[3];
      compute += r[6] > 0 ? r[4] / r[6] : 0;
    }
    return wall > 0 ? compute / wall : Double.NaN;
  }

  /** Wall time at a step (end of the round that reached it), or NaN when no round ended there. */
  public double wallSecondsAtStep(long step) {
    double[] cumulative = cumulativeWallSeconds();
    for (int i = 0; i < rows.size(); i++) {
      if ((long) rows.get(i)[1] == step) {
        return cumulative[i];
      }
    }
    return Double.NaN;
  }
}
