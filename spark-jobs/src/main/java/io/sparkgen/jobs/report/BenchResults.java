package io.sparkgen.jobs.report;

import io.sparkgen.jobs.fs.Csv;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rows of a benchmark results CSV ({@code bench/results/results.csv}) of the training benchmarks
 * (train-step, train-scaling): what the throughput section shows beside the runs' own stats.
 */
public record BenchResults(List<Map<String, String>> rows) {

  private static final Pattern EXECUTORS = Pattern.compile("(?:executors|workers)=(\\d+)");

  /** Parses RFC 4180 CSV with a header and keeps the rows whose benchmark starts with "train-". */
  public static BenchResults parse(String csv) {
    List<List<String>> records = Csv.parse(csv);
    List<Map<String, String>> rows = new ArrayList<>();
    if (records.isEmpty()) {
      return new BenchResults(rows);
    }
    List<String> header = records.get(0);
    if (!header.contains("benchmark") || !header.contains("metric") || !header.contains("mean")) {
      throw new IllegalArgumentException("report.bench-results: header must have benchmark, metric and mean columns, "
          + "found " + header);
    }
    for (List<String> rec : records.subList(1, records.size())) {
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < header.size(); i++) {
        row.put(header.get(i), i < rec.size() ? rec.get(i) : "");
      }
      if (row.get("benchmark").startsWith("train-")) {
        rows.add(row);
      }
    }
    return new BenchResults(List.copyOf(rows));
  }

  /** The executor (worker) count a row's metric names, e.g. "images/s executors=4", or -1. */
  public static int executors(Map<String, String> row) {
    Matcher m = EXECUTORS.matcher(row.getOrDefault("metric", "") + " " + row.getOrDefault("detail", ""));
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** The metric name without its executor count: rows with the same series name form one scaling curve. */
  public static String seriesName(Map<String, String> row) {
    return row.get("benchmark") + " " + EXECUTORS.matcher(row.getOrDefault("metric", "")).replaceAll("").trim()
        + " [" + row.getOrDefault("unit", "") + "] " + row.getOrDefault("run_id", "");
  }

}
