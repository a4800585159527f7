package io.sparkgen.jobs.report;

import io.sparkgen.jobs.cli.ConfigOptions;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.spark.SparkSessions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sparkgen report}: options are shortcuts for keys of the {@code report} config section. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Write a self-contained HTML report over training runs (comparison table, curves, sample grids, "
        + "memorisation check, throughput, provenance of every number) with the combined metrics and stats tables "
        + "as Parquet and CSV beside it, committed atomically. Prints the report's path.",
        "Options below override the config keys in brackets; see --dry-run for all keys."})
public final class ReportCommand implements Callable<Integer> {

  @Mixin ConfigOptions config;

  @Option(names = "--runs", paramLabel = "DIR", split = ",",
      description = "Run directories or parents of runs; repeatable or comma-separated [report.runs].")
  List<String> runs;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory [report.output].")
  String output;

  @Option(names = "--label", paramLabel = "RUN=TEXT",
      description = "Show run directory RUN as TEXT [report.labels]; repeatable.")
  Map<String, String> labels;

  @Option(names = "--bench-results", paramLabel = "CSV",
      description = "Benchmark results CSV for the throughput section [report.bench-results].")
  String benchResults;

  @Option(names = "--title", paramLabel = "TEXT", description = "Report title [report.title].")
  String title;

  @Option(names = "--overwrite", description = "Replace an existing output directory [report.overwrite].")
  Boolean overwrite;

  @Override
  public Integer call() throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    if (runs != null) {
      ConfigOptions.option(o, "--runs", "report.runs",
          "[" + String.join(", ", runs.stream().map(ReportCommand::quote).toList()) + "]");
    }
    ConfigOptions.option(o, "--out", "report.output", output == null ? null : quote(output));
    if (labels != null) {
      labels.forEach((k, v) -> ConfigOptions.option(o, "--label " + k, "report.labels." + quote(k), quote(v)));
    }
    ConfigOptions.option(o, "--bench-results", "report.bench-results", benchResults == null ? null : quote(benchResults));
    ConfigOptions.option(o, "--title", "report.title", title == null ? null : quote(title));
    ConfigOptions.option(o, "--overwrite", "report.overwrite", overwrite);
    ResolvedConfig resolved = config.resolve(o);
    if (config.printIfDryRun(resolved)) {
      return 0;
    }
    try (SparkSession spark = SparkSessions.create(resolved.config().spark(), "report")) {
      System.out.println("report: " + new ReportJob(spark, resolved).run());
    }
    return 0;
  }

  /** A HOCON/JSON string literal. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
