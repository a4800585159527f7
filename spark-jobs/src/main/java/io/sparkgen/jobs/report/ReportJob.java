package io.sparkgen.jobs.report;

import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.fs.HadoopFiles;
import io.sparkgen.jobs.fs.StagedDirectory;
import io.sparkgen.model.provenance.Versions;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sparkgen report}: reads run directories (stats, metrics, checkpoints' provenance, sample
 * grids, evaluation images) and writes report.html with the combined tables beside it, committed
 * atomically.
 */
public final class ReportJob {

  private static final Logger LOG = LoggerFactory.getLogger(ReportJob.class);
  public static final String HTML = "report.html";

  private final SparkSession spark;
  private final ResolvedConfig resolved;
  private final ReportConfig config;
  private final Clock clock;

  public ReportJob(SparkSession spark, ResolvedConfig resolved, Clock clock) {
    this.spark = spark;
    this.resolved = resolved;
    this.config = resolved.config().report();
    this.clock = clock;
  }

  public ReportJob(SparkSession spark, ResolvedConfig resolved) {
    this(spark, resolved, Clock.systemUTC());
  }

  /** Writes the report; returns the path of report.html. */
  public Path run() throws IOException {
    long start = System.nanoTime();
    Path out = new Path(config.output());
    FileSystem fs = out.getFileSystem(spark.sparkContext().hadoopConfiguration());
    StagedDirectory.checkTarget(fs, out, config.overwrite());
    List<Path> dirs = RunLoader.discover(spark, config.runs());
    LOG.info("report: {} runs found", dirs.size());
    RunLoader loader = new RunLoader(spark, config.labels(), config.gridsPerRun());
    List<RunData> runs = new ArrayList<>();
    for (int i = 0; i < dirs.size(); i++) {
      runs.add(loader.load(dirs.get(i)));
      LOG.info("report: run {}/{} read", i + 1, dirs.size());
    }
    BenchResults bench = null;
    if (!config.benchResults().isBlank()) {
      Path benchFile = new Path(config.benchResults());
      FileSystem benchFs = benchFile.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!benchFs.exists(benchFile)) {
        throw new FileNotFoundException("report.bench-results: " + benchFile + " does not exist");
      }
      try (InputStream in = benchFs.open(benchFile)) {
        bench = BenchResults.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      LOG.info("report: {} training benchmark rows from {}", bench.rows().size(), benchFile);
    }
    try (StagedDirectory staged = StagedDirectory.begin(fs, out, config.overwrite(), StagedDirectory.newRunId())) {
      ReportTables.write(spark, fs, staged.path(), runs);
      LOG.info("report: tables written (metrics and stats, Parquet and CSV)");
      String html = new ReportHtml(config, runs, bench, Instant.now(clock).toString(),
          Versions.all().getOrDefault("sparkgen", "unknown")).render();
      HadoopFiles.write(fs, new Path(staged.path(), HTML), html.getBytes(StandardCharsets.UTF_8));
      HadoopFiles.write(fs, new Path(staged.path(), "config.conf"), resolved.render().getBytes(StandardCharsets.UTF_8));
      staged.commit();
      Path report = new Path(staged.target(), HTML);
      LOG.info("report: {} ({} KiB) in {} s", report, html.length() / 1024, (System.nanoTime() - start) / 1_000_000_000L);
      return report;
    }
  }
}
