package io.sparkgen.jobs.bench;

import java.util.List;

/** How one selected benchmark ended: its summaries, or why it was skipped or failed. */
public record BenchResult(String benchmark, Status status, String note, List<Summary> summaries, double seconds) {

  /** OK: measured; SKIPPED: cannot run here (see note); FAILED: threw (note has the error). */
  public enum Status { OK, SKIPPED, FAILED }

  public BenchResult {
    summaries = List.copyOf(summaries);
    note = note == null ? "" : note;
  }

  static BenchResult skipped(String benchmark, String reason) {
    return new BenchResult(benchmark, Status.SKIPPED, reason, List.of(), 0);
  }
}
