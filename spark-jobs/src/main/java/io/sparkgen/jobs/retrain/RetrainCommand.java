package io.sparkgen.jobs.retrain;

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

/** {@code sparkgen retrain}: options are shortcuts for keys of the {@code retrain} config section. */
@Command(name = "retrain", mixinStandardHelpOptions = true,
    description = {"The scheduled retraining pipeline, idempotent and restartable: shard only new input files into the "
        + "next dataset version, continue the current model on it, evaluate candidate and current model with one "
        + "protocol, promote the candidate only if it wins by the margin, record the decision, write the report. "
        + "A second concurrent run exits naming the holder of the registry's lock.",
        "Input comes from the shard section, the model from train, the protocol from evaluate. Options below "
            + "override the config keys in brackets; see --dry-run for all keys."})
public final class RetrainCommand implements Callable<Integer> {

  @Mixin ConfigOptions config;

  @Option(names = "--registry", paramLabel = "DIR", description = "Model registry [retrain.registry].")
  String registry;

  @Option(names = "--dataset", paramLabel = "DIR", description = "Dataset root [retrain.dataset].")
  String dataset;

  @Override
  public Integer call() throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    ConfigOptions.option(o, "--registry", "retrain.registry", registry);
    ConfigOptions.option(o, "--dataset", "retrain.dataset", dataset);
    ResolvedConfig resolved = config.resolve(o);
    if (config.printIfDryRun(resolved)) {
      return 0;
    }
    try (SparkSession spark = SparkSessions.create(resolved.config().spark(), "retrain")) {
      System.out.println("retrain: " + new RetrainJob(spark, resolved).run().name().toLowerCase(java.util.Locale.ROOT));
    }
    return 0;
  }
}
