package io.sparkgen.jobs.spark;

import io.sparkgen.jobs.config.SparkSettings;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Creates the SparkSession of a subcommand from {@link SparkSettings}. */
public final class SparkSessions {

  public static final String EMBEDDED_MASTER = "local[*]";

  private SparkSessions() {}

  /**
   * master 'auto' keeps what spark-submit set and falls back to local[*]; an explicit master wins.
   * Local masters bind the driver to loopback.
   */
  public static SparkSession create(SparkSettings settings, String command) {
    SparkConf conf = new SparkConf();
    String master = resolveMaster(settings.master(), conf.getOption("spark.master").getOrElse(() -> null));
    conf.setMaster(master);
    if (!conf.contains("spark.app.name") || conf.get("spark.app.name").isBlank()) {
      conf.setAppName(settings.appName() + " " + command);
    }
    if (master.startsWith("local")) {
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
    }
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    settings.conf().forEach(conf::set);
    SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
    spark.sparkContext().addSparkListener(new TaskProgressListener(5_000));
    return spark;
  }

  static String resolveMaster(String configured, String fromSubmit) {
    if (!"auto".equals(configured)) {
      return configured;
    }
    return fromSubmit != null ? fromSubmit : EMBEDDED_MASTER;
  }
}
