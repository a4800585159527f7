package io.sparkgen.jobs.bench;

import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.spark.SparkSessions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * What the benchmarks of one run share and the harness cleans up: the resolved config, the settings,
 * the clock, a scratch directory and (only if a benchmark asks) one SparkSession. A session that
 * existed before (a notebook's, a test's) is used but not stopped.
 */
public final class BenchSession implements AutoCloseable {

  private final ResolvedConfig config;
  private final Function<Map<String, String>, ResolvedConfig> reconfigure;
  private final BenchSettings settings;
  private final Map<String, Map<String, String>> parameters;
  private final LongSupplier nanoTime;
  private Path scratch;
  private SparkSession spark;
  private boolean ownsSpark;

  /**
   * @param reconfigure resolves the config again with extra {@code option -> key=value} overrides on top
   *     (a benchmark pointing the shard job at its dataset and a temp dir)
   * @param parameters each benchmark's parameters, defaults filled in ({@link Benchmarks#parameters})
   */
  public BenchSession(ResolvedConfig config, Function<Map<String, String>, ResolvedConfig> reconfigure,
      BenchSettings settings, Map<String, Map<String, String>> parameters, LongSupplier nanoTime) {
    this.config = config;
    this.reconfigure = reconfigure;
    this.settings = settings;
    this.parameters = parameters;
    this.nanoTime = nanoTime;
  }

  /** The view one benchmark gets. */
  public BenchContext context(Benchmark benchmark) {
    return new BenchContext(this, benchmark.name(), parameters.getOrDefault(benchmark.name(), Map.of()));
  }

  ResolvedConfig config() {
    return config;
  }

  ResolvedConfig reconfigure(Map<String, String> overrides) {
    return reconfigure.apply(overrides);
  }

  BenchSettings settings() {
    return settings;
  }

  long nanoTime() {
    return nanoTime.getAsLong();
  }

  synchronized SparkSession spark() {
    if (spark == null) {
      ownsSpark = SparkSession.getDefaultSession().isEmpty() && SparkSession.getActiveSession().isEmpty();
      spark = SparkSessions.create(config.config().spark(), "bench");
    }
    return spark;
  }

  synchronized Path scratch() {
    if (scratch == null) {
      try {
        scratch = Files.createTempDirectory("sparkgen-bench-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a scratch directory for benchmarks", e);
      }
    }
    return scratch;
  }

  @Override
  public synchronized void close() {
    if (spark != null && ownsSpark) {
      spark.stop();
    }
    spark = null;
    if (scratch != null) {
      deleteRecursively(scratch);
      scratch = null;
    }
  }

  /** Deletes a file tree; what cannot be deleted is left (it is scratch space under the temp dir). */
  static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
