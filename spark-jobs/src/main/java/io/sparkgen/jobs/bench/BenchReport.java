package io.sparkgen.jobs.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one {@code sparkgen bench} run rendered for people (Markdown: run, machine and
 * results tables) and for tools (CSV: one row per metric, machine columns repeated on each row so
 * that rows from different machines can sit in one file).
 */
public record BenchReport(RunInfo run, MachineInfo machine, List<BenchResult> results) {

  static final List<String> RESULT_HEADER = List.of("benchmark", "metric", "mean", "± sd", "sd %", "min", "max",
      "unit", "n", "detail");
  static final List<Boolean> RESULT_NUMERIC = List.of(false, false, true, true, true, true, true, false, true, false);

  public BenchReport {
    results = List.copyOf(results);
  }

  /** The CSV columns, in order: the run, the metric's statistics, then the machine. */
  public static List<String> csvHeader() {
    List<String> header = new ArrayList<>(List.of("run_id", "date", "benchmark", "metric", "unit", "mean", "sd",
        "min", "max", "n", "warmup", "min_time_s", "peak_gflops", "detail", "spark_master", "config_hash", "seed"));
    header.addAll(MachineInfo.csvHeader());
    return header;
  }

  /** One CSV line per metric of every benchmark that ran. */
  public List<String> csvRows() {
    List<String> rows = new ArrayList<>();
    BenchSettings s = run.settings();
    for (BenchResult result : results) {
      for (Summary m : result.summaries()) {
        List<String> fields = new ArrayList<>(List.of(run.runId(), machine.date(), m.benchmark(), m.metric(),
            m.unit(), Tables.csvNumber(m.mean()), Tables.csvNumber(m.sd()), Tables.csvNumber(m.min()),
            Tables.csvNumber(m.max()), String.valueOf(m.n()), String.valueOf(s.warmup()),
            Tables.csvNumber(s.minSeconds()), Tables.csvNumber(s.peakGflops()), m.detail(), run.sparkMaster(),
            run.configHash(), String.valueOf(run.seed())));
        fields.addAll(machine.csvValues());
        rows.add(Tables.csvLine(fields));
      }
    }
    return rows;
  }

  /** The results table, and a line per skipped or failed benchmark: what {@code sparkgen bench} prints. */
  public String resultsMarkdown() {
    List<List<String>> rows = new ArrayList<>();
    for (BenchResult result : results) {
      for (Summary m : result.summaries()) {
        rows.add(List.of(m.benchmark(), m.metric(), Tables.number(m.mean()), Tables.number(m.sd()),
            Tables.number(m.relativeSdPercent()), Tables.number(m.min()), Tables.number(m.max()), m.unit(),
            String.valueOf(m.n()), m.detail()));
      }
    }
    StringBuilder out = new StringBuilder(Tables.markdown(RESULT_HEADER, RESULT_NUMERIC, rows));
    boolean first = true;
    for (BenchResult result : results) {
      if (result.status() != BenchResult.Status.OK) {
        out.append(first ? "\n" : "");
        first = false;
        out.append("- **").append(Tables.cell(result.benchmark())).append("** ")
            .append(result.status().name().toLowerCase()).append(": ").append(Tables.cell(result.note())).append('\n');
      }
    }
    return out.toString();
  }

  /** The whole report file. */
  public String markdown() {
    BenchSettings s = run.settings();
    StringBuilder out = new StringBuilder();
    out.append("# sparkgen bench ").append(run.runId()).append("\n\n");
    out.append("`").append(run.command().replace("`", "'")).append("`\n\n");
    out.append(Tables.markdown(List.of("run", "value"), List.of(false, false), List.of(
        List.of("repeats", s.repeat() + " timed run(s) after " + s.warmup()
            + " warmup run(s); mean, sample sd, min, max over the timed runs"),
        List.of("timed loop", "at least " + Tables.number(s.minSeconds()) + " s and " + BenchContext.MIN_ITERATIONS
            + " iterations"),
        List.of("peak fp32", Tables.number(s.peakGflops()) + " GFLOP/s (--peak-gflops)"),
        List.of("spark master", run.sparkMaster()),
        List.of("config", "hash " + run.configHash() + ", seed " + run.seed()))));
    out.append("\n## Machine\n\n");
    List<List<String>> machineRows = new ArrayList<>();
    for (Map.Entry<String, String> row : machine.rows().entrySet()) {
      machineRows.add(List.of(row.getKey(), row.getValue()));
    }
    out.append(Tables.markdown(List.of("property", "value"), List.of(false, false), machineRows));
    out.append("\n## Results\n\n");
    out.append(resultsMarkdown());
    out.append("\nTime per benchmark (warmup included): ");
    out.append(String.join(", ", results.stream()
        .map(r -> r.benchmark() + " " + Tables.number(r.seconds()) + " s").toList()));
    out.append(".\n");
    return out.toString();
  }
}
