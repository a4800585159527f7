package io.sparkgen.jobs.spark;

import org.slf4j.Logger;

/**
 * One log line per finished stage of a job: its counts, its time, and an ETA for the rest from the
 * stages' planned shares of the work ({@code weights}, summing to about 1).
 */
public final class StageClock {

  private final String job;
  private final Logger log;
  private final double[] weights;
  private final long started = System.nanoTime();
  private long stageStarted = started;
  private int done;

  public StageClock(String job, Logger log, double[] weights) {
    this.job = job;
    this.log = log;
    this.weights = weights.clone();
  }

  public void stage(String name, String counts) {
    long now = System.nanoTime();
    double fraction = 0;
    double total = 0;
    for (int i = 0; i < weights.length; i++) {
      total += weights[i];
      fraction += i <= done ? weights[i] : 0;
    }
    done = Math.min(done + 1, weights.length);
    double elapsed = (now - started) / 1e9;
    double eta = fraction >= total ? 0 : elapsed / fraction * (total - fraction);
    log.info(String.format("[%s %d/%d] %s: %s (%.1f s; elapsed %.1f s, ETA %s)", job, done, weights.length, name, counts,
        (now - stageStarted) / 1e9, elapsed, done == weights.length ? "done" : Eta.format(eta)));
    stageStarted = now;
  }
}
