package io.sparkgen.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.config.ConfigLoader;
import io.sparkgen.jobs.config.ResolvedConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** Warmup, repeats, summaries, skips and failures, with a fake clock and fake benchmarks. */
class BenchRunnerTest {

  static BenchSession session(BenchSettings settings, Benchmarks registry, Map<String, String> params,
      LongSupplier nanoTime) {
    ResolvedConfig config = ConfigLoader.load(List.of(), List.of(), Map.of());
    return new BenchSession(config, o -> ConfigLoader.load(List.of(), List.of(), o), settings,
        registry.parameters(params), nanoTime);
  }

  /** Returns 1, 2, 3, ... on successive runs, in two metrics. */
  static final class Counting implements Benchmark {
    int calls;

    @Override
    public String name() {
      return "counting";
    }

    @Override
    public String description() {
      return "returns the call number";
    }

    @Override
    public List<Measurement> run(BenchContext context) {
      calls++;
      return List.of(new Measurement("calls", calls, "1", "call " + calls),
          new Measurement("twice", 2 * calls, "1", ""));
    }
  }

  static final class Failing implements Benchmark {
    @Override
    public String name() {
      return "failing";
    }

    @Override
    public String description() {
      return "throws";
    }

    @Override
    public List<Measurement> run(BenchContext context) {
      throw new IllegalStateException("broken on purpose");
    }
  }

  static final class Unavailable implements Benchmark {
    @Override
    public String name() {
      return "unavailable";
    }

    @Override
    public String description() {
      return "never runs";
    }

    @Override
    public Optional<String> skipReason(BenchContext context) {
      return Optional.of("no such hardware");
    }

    @Override
    public List<Measurement> run(BenchContext context) {
      throw new AssertionError("a skipped benchmark must not run");
    }
  }

  @Test
  void warmupRunsAreDroppedAndRepeatsSummarised() {
    Counting counting = new Counting();
    Benchmarks registry = new Benchmarks(List.of(counting));
    try (BenchSession s = session(new BenchSettings(3, 2, 0.01, 384), registry, Map.of(), System::nanoTime)) {
      List<BenchResult> results = BenchRunner.run(s, registry.all());
      assertEquals(5, counting.calls);
      BenchResult r = results.get(0);
      assertEquals(BenchResult.Status.OK, r.status());
      Summary calls = r.summaries().get(0);
      assertEquals("calls", calls.metric());
      assertEquals(3, calls.n());
      assertEquals(4.0, calls.mean(), 1e-12); // runs 3, 4, 5
      assertEquals(1.0, calls.sd(), 1e-12);
      assertEquals(3.0, calls.min());
      assertEquals(5.0, calls.max());
      assertEquals("call 5", calls.detail());
      assertEquals(8.0, r.summaries().get(1).mean(), 1e-12);
    }
  }

  @Test
  void aFailureIsReportedAndTheOthersStillRun() {
    Counting counting = new Counting();
    Benchmarks registry = new Benchmarks(List.of(new Failing(), new Unavailable(), counting));
    try (BenchSession s = session(new BenchSettings(1, 0, 0.01, 384), registry, Map.of(), System::nanoTime)) {
      List<BenchResult> results = BenchRunner.run(s, registry.all());
      assertEquals(List.of(BenchResult.Status.FAILED, BenchResult.Status.SKIPPED, BenchResult.Status.OK),
          results.stream().map(BenchResult::status).toList());
      assertEquals("IllegalStateException: broken on purpose", results.get(0).note());
      assertEquals("no such hardware", results.get(1).note());
      assertEquals(1, counting.calls);
    }
  }

  @Test
  void timedLoopRunsUntilMinTimeAndAtLeastThreeIterations() {
    AtomicLong now = new AtomicLong();
    LongSupplier clock = () -> now.getAndAdd(1_000_000); // every reading advances 1 ms
    Benchmarks registry = new Benchmarks(List.of(new Counting()));
    try (BenchSession s = session(new BenchSettings(1, 0, 0.010, 384), registry, Map.of(), clock)) {
      BenchContext context = s.context(registry.all().get(0));
      int[] calls = {0};
      BenchContext.Timing t = context.time(i -> assertEquals(calls[0]++, i));
      assertEquals(10, t.iterations()); // readings at 0 (start), 1, 2, ... 10 ms
      assertEquals(0.010, t.seconds(), 1e-12);
      assertEquals(1000.0, t.rate(), 1e-9);
    }
    try (BenchSession s = session(new BenchSettings(1, 0, 1e-9, 384), registry, Map.of(), clock)) {
      assertEquals(BenchContext.MIN_ITERATIONS, s.context(registry.all().get(0)).time(i -> { }).iterations());
    }
  }

  @Test
  void settingsNameTheBadOption() {
    assertEquals("--repeat 0: must be >= 1",
        assertThrows(IllegalArgumentException.class, () -> new BenchSettings(0, 1, 1, 384)).getMessage());
    assertEquals("--warmup -1: must be >= 0",
        assertThrows(IllegalArgumentException.class, () -> new BenchSettings(1, -1, 1, 384)).getMessage());
    assertEquals("--min-time 0.0: must be a positive number of seconds",
        assertThrows(IllegalArgumentException.class, () -> new BenchSettings(1, 1, 0, 384)).getMessage());
    assertEquals("--peak-gflops NaN: must be a positive number",
        assertThrows(IllegalArgumentException.class, () -> new BenchSettings(1, 1, 1, Double.NaN)).getMessage());
  }
}
