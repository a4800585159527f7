package io.sparkgen.jobs.bench;

import io.sparkgen.jobs.cli.ConfigOptions;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.spark.SparkSessions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sparkgen bench}: runs registered benchmarks on demand (never as timed tests) and writes their
 * figures with the machine's description, as a Markdown report and as rows of a CSV that collects runs.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure sparkgen's building blocks on this machine: mean and spread over repeats, written with "
        + "the machine's description to <out>/<UTC time>.md and appended to <out>/results.csv.",
        "Benchmarks run on demand only; --list shows them and their -P parameters."})
public final class BenchCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(BenchCommand.class);

  @Mixin ConfigOptions config;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--list", description = "List the benchmarks and their parameters, then exit.")
  boolean list;

  @Option(names = "--only", split = ",", paramLabel = "NAME",
      description = "Run only these benchmarks, in this order (default: all).")
  List<String> only = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR", description = "Directory of the report and results.csv (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("bench", "results");

  @Option(names = "--repeat", paramLabel = "N", description = "Timed runs per benchmark (default: ${DEFAULT-VALUE}).")
  int repeat = BenchSettings.DEFAULT_REPEAT;

  @Option(names = "--warmup", paramLabel = "N", description = "Untimed runs before them (default: ${DEFAULT-VALUE}).")
  int warmup = BenchSettings.DEFAULT_WARMUP;

  @Option(names = "--min-time", paramLabel = "SECONDS",
      description = "Least time of one timed loop; it also runs at least " + BenchContext.MIN_ITERATIONS
          + " iterations (default: ${DEFAULT-VALUE}).")
  double minSeconds = BenchSettings.DEFAULT_MIN_SECONDS;

  @Option(names = "--peak-gflops", paramLabel = "GFLOPS",
      description = "This machine's fp32 peak, for nd4j-sgemm's %% of peak "
          + "(default: ${DEFAULT-VALUE}, 2 vCPUs of the reference machine).")
  double peakGflops = BenchSettings.DEFAULT_PEAK_GFLOPS;

  @Option(names = {"-P", "--param"}, paramLabel = "BENCHMARK.PARAM=VALUE",
      description = "Set a benchmark parameter, e.g. -P nd4j-sgemm.sizes=4096; repeatable; see --list.")
  Map<String, String> params = new LinkedHashMap<>();

  private final Benchmarks registry;
  private final Clock clock;

  public BenchCommand() {
    this(Benchmarks.DEFAULT, Clock.systemUTC());
  }

  /** With another registry or a fixed clock (tests). */
  public BenchCommand(Benchmarks registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public Integer call() throws Exception {
    if (list) {
      out(registry.describe());
      return 0;
    }
    BenchSettings settings = new BenchSettings(repeat, warmup, minSeconds, peakGflops);
    List<Benchmark> selected = registry.select(only);
    Map<String, Map<String, String>> parameters = registry.parameters(params);
    ResolvedConfig resolved = config.resolve(Map.of());
    String master = sparkMaster(resolved);

    try (BenchSession session = new BenchSession(resolved, config::resolve, settings, parameters, System::nanoTime)) {
      Map<String, Optional<String>> skip = BenchRunner.check(session, selected);
      ReportFiles.checkOutput(out, BenchReport.csvHeader());
      if (config.dryRun) {
        out(resolved.render());
        out("# config hash: " + resolved.hash() + "\n");
        out(plan(settings, selected, parameters, skip, master));
        return 0;
      }

      MachineInfo machine = MachineInfo.probe(clock);
      String runId = ReportFiles.runId(Instant.parse(machine.date()));
      LOG.info("bench {}: {} on {} ({} logical cores), {}", runId, selected.stream().map(Benchmark::name)
          .collect(Collectors.joining(", ")), machine.cpu(), machine.logicalCores(), machine.blas());
      List<BenchResult> results = BenchRunner.run(session, selected);
      RunInfo run = new RunInfo(runId, commandLine(), settings, master, resolved.hash(), resolved.config().seed());
      BenchReport report = new BenchReport(run, machine, results);
      Path file = ReportFiles.writeReport(out, runId, report.markdown());
      Path csv = ReportFiles.appendCsv(out, BenchReport.csvHeader(), report.csvRows());
      out(report.resultsMarkdown());
      out("\nreport: " + file + "\nrows appended to: " + csv + "\n");
      return results.stream().anyMatch(r -> r.status() == BenchResult.Status.FAILED) ? 1 : 0;
    }
  }

  /** What --dry-run says would run, as HOCON comments below the config. */
  String plan(BenchSettings settings, List<Benchmark> selected, Map<String, Map<String, String>> parameters,
      Map<String, Optional<String>> skip, String master) {
    StringBuilder plan = new StringBuilder("# --dry-run: nothing was run. sparkgen bench would run:\n");
    for (Benchmark b : selected) {
      plan.append("#   ").append(b.name());
      parameters.getOrDefault(b.name(), Map.of())
          .forEach((k, v) -> plan.append(" -P ").append(b.name()).append('.').append(k).append('=').append(v));
      skip.get(b.name()).ifPresent(reason -> plan.append("  [would be skipped: ").append(reason).append(']'));
      plan.append('\n');
    }
    plan.append("# each ").append(settings.warmup()).append(" warmup + ").append(settings.repeat())
        .append(" timed runs; timed loops >= ").append(Tables.number(settings.minSeconds())).append(" s; peak ")
        .append(Tables.number(settings.peakGflops())).append(" GFLOP/s; spark master ").append(master).append('\n');
    plan.append("# report: ").append(out.resolve("<UTC time>.md")).append(", rows appended to ")
        .append(out.resolve(ReportFiles.CSV)).append('\n');
    return plan.toString();
  }

  /** The master a session would get: the config's, or spark-submit's for 'auto', else local[*]. */
  static String sparkMaster(ResolvedConfig resolved) {
    String configured = resolved.config().spark().master();
    if (!"auto".equals(configured)) {
      return configured;
    }
    return new SparkConf().getOption("spark.master").getOrElse(() -> SparkSessions.EMBEDDED_MASTER);
  }

  private String commandLine() {
    List<String> args = spec.commandLine().getParseResult().originalArgs();
    return "sparkgen" + args.stream().map(a -> a.matches("[A-Za-z0-9_./=:,@%+-]+") ? a : "'" + a + "'")
        .map(a -> " " + a).collect(Collectors.joining());
  }

  /** To picocli's stdout writer, so that tests can capture it. */
  private void out(String text) {
    PrintWriter writer = spec.commandLine().getOut();
    writer.print(text);
    writer.flush();
  }
}
