package io.sparkgen.jobs.cli;

import io.sparkgen.jobs.config.ConfigError;
import io.sparkgen.jobs.fs.StagedDirectory;
import io.sparkgen.jobs.shard.BadInputException;
import java.io.FileNotFoundException;
import picocli.CommandLine;

/**
 * Turns a failed command into one clear line on stderr and an exit code; the stack trace only with
 * SPARKGEN_DEBUG=1, since the message already names the file, key or value at fault.
 */
public final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {

  public static final int FAILURE = 1;
  public static final int USAGE = 2;
  public static final int BAD_INPUT = 3;
  /** Another run holds the lock: try again later (sysexits' EX_TEMPFAIL). */
  public static final int BUSY = 75;

  @Override
  public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    Throwable cause = rootOfInterest(e);
    String where = cli.getCommandSpec().qualifiedName();
    cli.getErr().println(where + ": error: " + cause.getMessage());
    if ("1".equals(System.getenv("SPARKGEN_DEBUG"))) {
      e.printStackTrace(cli.getErr());
    }
    if (cause instanceof io.sparkgen.jobs.retrain.RegistryLock.HeldException) {
      return BUSY;
    }
    if (cause instanceof ConfigError || cause instanceof IllegalArgumentException) {
      return USAGE;
    }
    if (cause instanceof BadInputException || cause instanceof FileNotFoundException
        || cause instanceof StagedDirectory.OutputExistsException) {
      return BAD_INPUT;
    }
    return FAILURE;
  }

  /** Spark wraps executor-side errors; report the innermost sparkgen error if there is one. */
  private static Throwable rootOfInterest(Throwable e) {
    Throwable current = e;
    while (current.getCause() != null && current.getCause() != current
        && !(current instanceof ConfigError || current instanceof BadInputException)) {
      current = current.getCause();
    }
    return current.getMessage() == null ? e : current;
  }
}
