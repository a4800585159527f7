package io.sparkgen.jobs.config;

import java.util.Map;

/** How a job gets its SparkSession. */
public record SparkSettings(
    @Doc("Spark master URL. 'auto' takes the one spark-submit passed, else local[*] (the embedded default).")
        String master,
    @Doc("Application name shown in the Spark UI; the subcommand is appended.") String appName,
    @Doc("Extra Spark settings, passed as they are, e.g. { \"spark.sql.shuffle.partitions\" = \"8\" }.")
        Map<String, String> conf) {

  public SparkSettings {
    Check.that(master != null && !master.isBlank(), "master", master, "must name a Spark master or be 'auto'");
    conf = Map.copyOf(conf);
  }

  public static SparkSettings defaults() {
    return new SparkSettings("auto", "sparkgen", Map.of());
  }
}
