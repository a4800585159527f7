package io.sparkgen.jobs.cli;

import io.sparkgen.jobs.config.ConfigLoader;
import io.sparkgen.jobs.config.ResolvedConfig;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every subcommand shares: config files, overrides, --dry-run. */
public final class ConfigOptions {

  @Option(names = {"-c", "--conf"}, paramLabel = "FILE",
      description = "HOCON config file with overrides of the defaults; repeatable, later files win.")
  List<File> files = new ArrayList<>();

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Override one config key, e.g. --set shard.split.test-fraction=0.2; repeatable, applied after files.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master (spark.master key); default: the one spark-submit set, else local[*].")
  String master;

  @Option(names = "--dry-run", description = "Print the fully resolved config and exit without running anything.")
  public boolean dryRun;

  /** With --dry-run: prints the resolved config and its hash, and says so (the command then exits). */
  public boolean printIfDryRun(ResolvedConfig resolved) {
    if (dryRun) {
      System.out.print(resolved.render());
      System.out.println("# config hash: " + resolved.hash());
    }
    return dryRun;
  }

  /** Records a command option that was given as an override {@code key=value}, named by the option. */
  public static void option(Map<String, String> options, String option, String key, Object value) {
    if (value != null) {
      options.put(option, key + "=" + value);
    }
  }

  /** Resolves the config with the subcommand's own options ({@code --name} to {@code key=value}) last. */
  public ResolvedConfig resolve(Map<String, String> commandOptions) {
    Map<String, String> options = new LinkedHashMap<>();
    if (master != null) {
      options.put("--master", "spark.master=" + master);
    }
    options.putAll(commandOptions);
    return ConfigLoader.load(files, overrides, options);
  }
}
