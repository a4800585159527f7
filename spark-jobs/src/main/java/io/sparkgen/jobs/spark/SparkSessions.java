package io.sparkgen.jobs.spark;

import io.sparkgen.jobs.config.SparkSettings;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
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

  /**
   * Tasks that can run at once: local[n]'s n; on a cluster, executors x spark.executor.cores /
   * spark.task.cpus when the cores are set (as deploy/spark-submit.sh does). Otherwise Spark's
   * default parallelism, which a cluster reports as at least 2 even on one single-core executor.
   */
  public static int taskSlots(SparkContext sc) {
    if (sc.isLocal() || !sc.getConf().contains("spark.executor.cores")) {
      return sc.defaultParallelism();
    }
    int executors = sc.statusTracker().getExecutorInfos().length - 1; // the driver is listed too
    int perExecutor = sc.getConf().getInt("spark.executor.cores", 1) / sc.getConf().getInt("spark.task.cpus", 1);
    return Math.max(1, executors * perExecutor);
  }

  static String resolveMaster(String configured, String fromSubmit) {
    if (!"auto".equals(configured)) {
      return configured;
    }
    return fromSubmit != null ? fromSubmit : EMBEDDED_MASTER;
  }
}
