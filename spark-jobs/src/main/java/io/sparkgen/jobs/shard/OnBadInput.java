package io.sparkgen.jobs.shard;

/** What a bad input does to a shard job. */
public enum OnBadInput {
  /** Report every bad input (up to the example limit) and stop; nothing is written. */
  FAIL,
  /** Report, leave the item out, count it in the manifest, and go on. */
  SKIP
}
