package io.sparkgen.jobs.bench;

/**
 * How a run was made, beside the machine: the command line, the harness settings, the Spark master
 * and the config (hash and seed), so that two result files can be compared knowingly.
 */
public record RunInfo(String runId, String command, BenchSettings settings, String sparkMaster, String configHash,
    long seed) {}
