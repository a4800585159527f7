package io.sparkgen.jobs.bench;

import java.util.List;
import java.util.Optional;

/**
 * One measurement family of {@code sparkgen bench}. Implementations time their own hot loop (with
 * {@link BenchContext#time}) so that setup is not counted, and return the same metrics on every run;
 * the harness repeats runs and reports mean and spread. Register a new one in {@link Benchmarks#DEFAULT}.
 */
public interface Benchmark {

  /** Unique kebab-case name, used by {@code --only} and in every result row. */
  String name();

  /** One line: what is measured, in which unit. */
  String description();

  /** Parameters this benchmark reads with {@link BenchContext#param}; set with {@code -P name.param=value}. */
  default List<Parameter> parameters() {
    return List.of();
  }

  /**
   * Why this benchmark cannot run here (a missing dataset, say), or empty when it can. Called for every
   * selected benchmark before any runs, so it is also where parameters are parsed: a bad value throws
   * {@link IllegalArgumentException} naming the {@code -P} option.
   */
  default Optional<String> skipReason(BenchContext context) {
    return Optional.empty();
  }

  /** One run: every metric once. Warmup runs call it too and their measurements are dropped. */
  List<Measurement> run(BenchContext context) throws Exception;

  /** A benchmark parameter with its default value (as typed on the command line). */
  record Parameter(String name, String defaultValue, String description) {
    public Parameter {
      if (!Benchmarks.isKebabCase(name)) {
        throw new IllegalArgumentException("parameter name '" + name + "' must be kebab-case");
      }
    }
  }
}
