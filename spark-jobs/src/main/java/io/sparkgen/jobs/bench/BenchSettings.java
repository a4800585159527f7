package io.sparkgen.jobs.bench;

/**
 * The harness knobs of one {@code sparkgen bench} run, validated with messages naming the option:
 * timed runs per benchmark, untimed warmup runs before them, the least time one timed loop runs, and
 * the machine's fp32 peak that GFLOP/s are reported against.
 */
public record BenchSettings(int repeat, int warmup, double minSeconds, double peakGflops) {

  /** 3 repeats after 1 warmup, 1 s per timed loop, 384 GFLOP/s (2 vCPUs of the reference machine). */
  public static final int DEFAULT_REPEAT = 3;
  public static final int DEFAULT_WARMUP = 1;
  public static final double DEFAULT_MIN_SECONDS = 1.0;
  public static final double DEFAULT_PEAK_GFLOPS = 384;

  public BenchSettings {
    if (repeat < 1) {
      throw new IllegalArgumentException("--repeat " + repeat + ": must be >= 1");
    }
    if (warmup < 0) {
      throw new IllegalArgumentException("--warmup " + warmup + ": must be >= 0");
    }
    if (!(minSeconds > 0) || !Double.isFinite(minSeconds)) {
      throw new IllegalArgumentException("--min-time " + minSeconds + ": must be a positive number of seconds");
    }
    if (!(peakGflops > 0) || !Double.isFinite(peakGflops)) {
      throw new IllegalArgumentException("--peak-gflops " + peakGflops + ": must be a positive number");
    }
  }

  public static BenchSettings defaults() {
    return new BenchSettings(DEFAULT_REPEAT, DEFAULT_WARMUP, DEFAULT_MIN_SECONDS, DEFAULT_PEAK_GFLOPS);
  }
}
