package io.sparkgen.jobs.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the selected benchmarks: checks all first (so a bad parameter fails before an hour of work),
 * then per benchmark the warmup runs (dropped) and the timed repeats, summarised per metric. A
 * benchmark that throws is reported as failed and the others still run.
 */
public final class BenchRunner {

  private static final Logger LOG = LoggerFactory.getLogger(BenchRunner.class);

  private BenchRunner() {}

  /** Skip reasons of the selected benchmarks (empty: runnable); parameter errors throw. */
  public static Map<String, Optional<String>> check(BenchSession session, List<Benchmark> selected) {
    Map<String, Optional<String>> reasons = new LinkedHashMap<>();
    for (Benchmark b : selected) {
      reasons.put(b.name(), b.skipReason(session.context(b)));
    }
    return reasons;
  }

  public static List<BenchResult> run(BenchSession session, List<Benchmark> selected) {
    Map<String, Optional<String>> skip = check(session, selected);
    BenchSettings settings = session.settings();
    List<BenchResult> results = new ArrayList<>();
    for (Benchmark b : selected) {
      Optional<String> reason = skip.get(b.name());
      if (reason.isPresent()) {
        LOG.warn("bench {}: skipped: {}", b.name(), reason.get());
        results.add(BenchResult.skipped(b.name(), reason.get()));
        continue;
      }
      results.add(runOne(session, b, settings));
    }
    return results;
  }

  private static BenchResult runOne(BenchSession session, Benchmark b, BenchSettings settings) {
    BenchContext context = session.context(b);
    long started = session.nanoTime();
    Map<String, List<Measurement>> byMetric = new LinkedHashMap<>();
    int total = settings.warmup() + settings.repeat();
    try {
      for (int run = 0; run < total; run++) {
        boolean warmup = run < settings.warmup();
        List<Measurement> measured = b.run(context);
        if (measured.isEmpty()) {
          throw new IllegalStateException(b.name() + " returned no measurements");
        }
        String label = warmup ? "warmup " + (run + 1) + "/" + settings.warmup()
            : "run " + (run - settings.warmup() + 1) + "/" + settings.repeat();
        LOG.info("bench {} {}: {}", b.name(), label, measured.stream()
            .map(m -> m.metric() + " " + Tables.number(m.value()) + " " + m.unit()).collect(Collectors.joining(", ")));
        if (!warmup) {
          for (Measurement m : measured) {
            byMetric.computeIfAbsent(m.metric(), k -> new ArrayList<>()).add(m);
          }
        }
      }
    } catch (Exception | LinkageError e) {
      String message = e.getClass().getSimpleName() + ": " + e.getMessage();
      LOG.error("bench {} failed: {}", b.name(), message, e);
      return new BenchResult(b.name(), BenchResult.Status.FAILED, message, List.of(),
          (session.nanoTime() - started) / 1e9);
    }
    List<Summary> summaries = byMetric.values().stream().map(ms -> Summary.of(b.name(), ms)).toList();
    return new BenchResult(b.name(), BenchResult.Status.OK, "", summaries, (session.nanoTime() - started) / 1e9);
  }
}
