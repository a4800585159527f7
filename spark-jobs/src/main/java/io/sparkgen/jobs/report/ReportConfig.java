package io.sparkgen.jobs.report;

import io.sparkgen.jobs.config.Check;
import io.sparkgen.jobs.config.Doc;
import java.util.List;
import java.util.Map;

/** Configuration of {@code sparkgen report}. */
public record ReportConfig(
    @Doc("Run directories, or directories whose sub-directories are runs (Hadoop URIs or local paths).")
        List<String> runs,
    @Doc("Output directory, committed atomically: report.html, metrics.{parquet,csv}, stats.{parquet,csv}.")
        String output,
    @Doc("Names to show instead of run directory names: { \"<run directory name>\" = \"<label>\" }.")
        Map<String, String> labels,
    @Doc("Benchmark results CSV (bench/results/results.csv) for the throughput section; empty: none.")
        String benchResults,
    @Doc("Title of the report.") String title,
    @Doc("Draw training losses on a log y axis (linear when a value is not positive).") boolean logScaleLosses,
    @Doc("Sample grids shown per run, evenly spread over its checkpoints (first and last included).")
        int gridsPerRun,
    @Doc("Replace an existing output directory (atomically).") boolean overwrite) {

  public ReportConfig {
    Check.that(!runs.isEmpty(), "runs", runs, "must name at least one run directory or parent of runs");
    Check.that(!output.isBlank(), "output", output, "must name the output directory");
    Check.that(gridsPerRun > 0, "grids-per-run", gridsPerRun, "must be > 0");
    runs = List.copyOf(runs);
    labels = Map.copyOf(labels);
  }

  public static ReportConfig defaults() {
    return new ReportConfig(List.of("runs"), "reports/latest", Map.of(), "", "sparkgen report", true, 8, false);
  }
}
