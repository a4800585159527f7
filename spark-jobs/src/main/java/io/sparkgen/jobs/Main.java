package io.sparkgen.jobs;

import io.sparkgen.jobs.bench.BenchCommand;
import io.sparkgen.jobs.cli.ErrorHandler;
import io.sparkgen.jobs.cli.VersionProvider;
import io.sparkgen.jobs.eval.EvaluateCommand;
import io.sparkgen.jobs.eval.FeaturesCommand;
import io.sparkgen.jobs.eval.FidCommand;
import io.sparkgen.jobs.eval.TrainFeaturesCommand;
import io.sparkgen.jobs.retrain.RetrainCommand;
import io.sparkgen.jobs.report.ReportCommand;
import io.sparkgen.jobs.sample.SampleCommand;
import io.sparkgen.jobs.shard.ShardCommand;
import io.sparkgen.jobs.train.TrainCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one entry point: {@code bin/sparkgen <command>} on the embedded default, or
 * {@code spark-submit --class io.sparkgen.jobs.Main sparkgen-jobs.jar <command>} on a cluster.
 */
@Command(
    name = "sparkgen",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Train and evaluate image generators on Apache Spark.",
    subcommands = {ShardCommand.class, TrainCommand.class, SampleCommand.class, TrainFeaturesCommand.class, FeaturesCommand.class, EvaluateCommand.class, FidCommand.class, ReportCommand.class, RetrainCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int code = run(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs a command line and returns its exit code (0 ok, 1 failure, 2 usage or config error, 3 bad input). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(new ErrorHandler());
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
