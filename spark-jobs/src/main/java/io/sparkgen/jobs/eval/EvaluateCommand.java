package io.sparkgen.jobs.eval;

import io.sparkgen.jobs.cli.ConfigOptions;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.spark.SparkSessions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sparkgen evaluate}: options are shortcuts for keys of the {@code evaluate} config section. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = {"Evaluate a run's checkpoints against real data as Spark jobs: FID, KID, precision/recall, sliced "
        + "Wasserstein on features, Inception Score and FID_inf (features from the given extractor), the model's "
        + "likelihood where it has one, and a memorisation check (eval/nearest-<step>.png). Real statistics are "
        + "cached; rows are appended to the run's metrics table.",
        "Options below override the config keys in brackets; see --dry-run for all keys."})
public final class EvaluateCommand implements Callable<Integer> {

  @Mixin ConfigOptions config;

  @Option(names = "--run", paramLabel = "DIR", description = "Run directory [evaluate.run].")
  String run;

  @Option(names = "--checkpoints", paramLabel = "WHICH", description = "latest, all, or steps a,b,c [evaluate.checkpoints].")
  String checkpoints;

  @Option(names = "--data", paramLabel = "DIR", description = "Shard set of the real images [evaluate.data].")
  String data;

  @Option(names = "--extractor", paramLabel = "FILE", description = "Feature extractor file [evaluate.extractor].")
  String extractor;

  @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Real images (and generated, unless "
      + "evaluate.fake-count is set) [evaluate.real-count].")
  Long count;

  @Option(names = "--option", paramLabel = "KEY=VALUE",
      description = "A sampler option, e.g. --option sampler=ddim --option steps=50 [evaluate.options]; repeatable.")
  Map<String, String> options;

  @Override
  public Integer call() throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    ConfigOptions.option(o, "--run", "evaluate.run", run);
    ConfigOptions.option(o, "--checkpoints", "evaluate.checkpoints", checkpoints);
    ConfigOptions.option(o, "--data", "evaluate.data", data);
    ConfigOptions.option(o, "--extractor", "evaluate.extractor", extractor);
    ConfigOptions.option(o, "--count", "evaluate.real-count", count);
    if (options != null) {
      options.forEach((k, v) -> ConfigOptions.option(o, "--option " + k, "evaluate.options." + k, "\"" + v + "\""));
    }
    ResolvedConfig resolved = config.resolve(o);
    if (config.printIfDryRun(resolved)) {
      return 0;
    }
    try (SparkSession spark = SparkSessions.create(resolved.config().spark(), "evaluate")) {
      int rows = new EvaluateJob(spark, resolved).run().size();
      System.out.println("evaluate: " + rows + " metric rows appended to " + resolved.config().evaluate().run());
    }
    return 0;
  }
}
