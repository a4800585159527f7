package io.sparkgen.jobs.bench;

import io.sparkgen.jobs.config.ResolvedConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.apache.spark.sql.SparkSession;

/**
 * What one benchmark sees: its parameters, the harness settings, a timing loop on the session's
 * clock, a scratch directory of its own, and the shared SparkSession (created on first use).
 */
public final class BenchContext {

  /** A timed loop runs at least this many iterations, however long they take. */
  public static final int MIN_ITERATIONS = 3;

  private final BenchSession session;
  private final String benchmark;
  private final Map<String, String> parameters;

  BenchContext(BenchSession session, String benchmark, Map<String, String> parameters) {
    this.session = session;
    this.benchmark = benchmark;
    this.parameters = parameters;
  }

  /** The config of this run ({@code --conf}, {@code --set}, {@code --master}). */
  public ResolvedConfig config() {
    return session.config();
  }

  /** The config of this run with overrides on top, each as {@code option -> key=value}. */
  public ResolvedConfig configWith(Map<String, String> overrides) {
    return session.reconfigure(overrides);
  }

  /** The master seed: benchmarks derive their inputs from it, so every run measures the same work. */
  public long seed() {
    return session.config().config().seed();
  }

  public double peakGflops() {
    return session.settings().peakGflops();
  }

  public double minSeconds() {
    return session.settings().minSeconds();
  }

  public SparkSession spark() {
    return session.spark();
  }

  /** This benchmark's scratch directory, deleted when the run ends. */
  public Path scratch() {
    Path dir = session.scratch().resolve(benchmark);
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  /** A parameter's value (the default unless {@code -P} set it). */
  public String param(String name) {
    String value = parameters.get(name);
    if (value == null) {
      throw new IllegalStateException(benchmark + " reads parameter '" + name + "' but does not declare it");
    }
    return value;
  }

  /** A comma-separated list of positive integers, e.g. {@code 512,1024}. */
  public List<Integer> positiveInts(String name) {
    String value = param(name);
    List<Integer> out = new ArrayList<>();
    for (String part : value.split(",")) {
      try {
        int n = Integer.parseInt(part.trim());
        if (n > 0) {
          out.add(n);
          continue;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(option(name) + ": '" + part.trim() + "' is not a positive integer");
    }
    return out;
  }

  /** The {@code -P} option that sets a parameter, with its current value, for error messages. */
  public String option(String name) {
    return "-P " + benchmark + "." + name + "=" + param(name);
  }

  /**
   * Runs {@code body(i)} for i = 0, 1, ... at least {@link #MIN_ITERATIONS} times and until
   * {@code --min-time} has passed; returns iterations and elapsed seconds.
   */
  public Timing time(IntConsumer body) {
    long minNanos = (long) (session.settings().minSeconds() * 1e9);
    long start = session.nanoTime();
    int i = 0;
    long elapsed;
    do {
      body.accept(i++);
      elapsed = session.nanoTime() - start;
    } while (i < MIN_ITERATIONS || elapsed < minNanos);
    return new Timing(i, elapsed / 1e9);
  }

  /** Reads the session's clock, for benchmarks that time one long operation themselves. */
  public long nanoTime() {
    return session.nanoTime();
  }

  /** Iterations of a timed loop and the seconds they took. */
  public record Timing(long iterations, double seconds) {
    /** Iterations per second. */
    public double rate() {
      return iterations / seconds;
    }
  }
}
