package io.sparkgen.jobs.sample;

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

/** {@code sparkgen sample}: options are shortcuts for keys of the {@code sample} config section. */
@Command(name = "sample", mixinStandardHelpOptions = true,
    description = {"Generate images from a run's checkpoint on the executors: one seed per image, so image i is the "
        + "same however the work is split. Output (PNG files, one .npy, or a grid) is committed atomically with "
        + "sample.json (checkpoint, seed, options, provenance).",
        "Options below override the config keys in brackets; see --dry-run for all keys."})
public final class SampleCommand implements Callable<Integer> {

  @Mixin ConfigOptions config;

  @Option(names = "--run", paramLabel = "DIR", description = "Run directory [sample.run].")
  String run;

  @Option(names = "--checkpoint", paramLabel = "WHICH",
      description = "latest, a step number, or a checkpoint file [sample.checkpoint].")
  String checkpoint;

  @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Number of images [sample.count].")
  Long count;

  @Option(names = "--seed", paramLabel = "SEED", description = "Sampling seed [sample.seed].")
  Long seed;

  @Option(names = "--format", paramLabel = "FORMAT", description = "png, npy or grid [sample.format].")
  String format;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory [sample.output].")
  String output;

  @Option(names = "--option", paramLabel = "KEY=VALUE",
      description = "A sampler option, e.g. --option sampler=ddim --option steps=50 [sample.options]; repeatable.")
  Map<String, String> options;

  @Option(names = "--overwrite", description = "Replace an existing output directory [sample.overwrite].")
  Boolean overwrite;

  @Override
  public Integer call() throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    ConfigOptions.option(o, "--run", "sample.run", run);
    ConfigOptions.option(o, "--checkpoint", "sample.checkpoint", checkpoint);
    ConfigOptions.option(o, "--count", "sample.count", count);
    ConfigOptions.option(o, "--seed", "sample.seed", seed);
    ConfigOptions.option(o, "--format", "sample.format", format);
    ConfigOptions.option(o, "--out", "sample.output", output);
    if (options != null) {
      options.forEach((k, v) -> ConfigOptions.option(o, "--option " + k, "sample.options." + k, "\"" + v + "\""));
    }
    ConfigOptions.option(o, "--overwrite", "sample.overwrite", overwrite);
    ResolvedConfig resolved = config.resolve(o);
    if (config.printIfDryRun(resolved)) {
      return 0;
    }
    try (SparkSession spark = SparkSessions.create(resolved.config().spark(), "sample")) {
      System.out.println("samples written to " + new SampleJob(spark, resolved).run());
    }
    return 0;
  }
}
