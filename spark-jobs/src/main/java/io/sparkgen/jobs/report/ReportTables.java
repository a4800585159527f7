package io.sparkgen.jobs.report;

import io.sparkgen.jobs.eval.MetricRow;
import io.sparkgen.jobs.eval.MetricsTable;
import io.sparkgen.jobs.fs.Csv;
import io.sparkgen.jobs.fs.HadoopFiles;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The tables beside the report, for notebooks: every run's metric rows ({@code metrics.parquet},
 * {@code metrics.csv}: {@link MetricsTable}'s columns) and training stats ({@code stats.parquet},
 * {@code stats.csv}: a run column, stats.csv's columns, cumulative wall time and core-hours, then the
 * union of the runs' training metric columns, empty where a run has none). notebooks/SCHEMA.md
 * documents both.
 */
public final class ReportTables {

  /** The stats table's leading columns; training metric columns follow, in name order. */
  public static final List<String> STATS_FIXED = List.of("run", "run_dir", "family", "round", "step", "images_seen",
      "wall_seconds", "worker_compute_seconds", "images_per_second", "workers", "cumulative_wall_seconds",
      "core_hours");

  private ReportTables() {}

  public static List<MetricRow> metrics(List<RunData> runs) {
    List<MetricRow> all = new ArrayList<>();
    runs.forEach(r -> all.addAll(r.metrics()));
    return all;
  }

  /** Writes metrics.{parquet,csv} and stats.{parquet,csv} into dir. */
  public static void write(SparkSession spark, FileSystem fs, Path dir, List<RunData> runs) throws IOException {
    List<MetricRow> metrics = metrics(runs);
    List<Row> metricRows = new ArrayList<>();
    RecordComponent[] components = MetricRow.class.getRecordComponents();
    for (MetricRow m : metrics) {
      Object[] values = new Object[components.length];
      for (int i = 0; i < components.length; i++) {
        try {
          values[i] = components[i].getAccessor().invoke(m);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      metricRows.add(RowFactory.create(values));
    }
    parquet(spark, fs, metricRows, MetricsTable.SCHEMA, new Path(dir, "metrics.parquet"));
    HadoopFiles.write(fs, new Path(dir, "metrics.csv"), MetricsTable.csv(metrics).getBytes(StandardCharsets.UTF_8));

    List<String> trainingMetrics = trainingMetricColumns(runs);
    List<StructField> fields = new ArrayList<>();
    for (String c : STATS_FIXED) {
      DataType type = switch (c) {
        case "run", "run_dir", "family" -> DataTypes.StringType;
        case "round", "step", "images_seen", "workers" -> DataTypes.LongType;
        default -> DataTypes.DoubleType;
      };
      fields.add(DataTypes.createStructField(c, type, false));
    }
    trainingMetrics.forEach(c -> fields.add(DataTypes.createStructField(c, DataTypes.DoubleType, true)));
    StructType schema = DataTypes.createStructType(fields);
    List<Row> statsRows = new ArrayList<>();
    StringBuilder csv = new StringBuilder();
    csv.append(Csv.row(schema.fieldNames() == null ? List.of() : List.of(schema.fieldNames()))).append('\n');
    for (RunData run : runs) {
      StatsTable s = run.stats();
      double[] wall = s.cumulativeWallSeconds();
      double[] coreHours = s.cumulativeCoreHours();
      for (int i = 0; i < s.rows().size(); i++) {
        double[] r = s.rows().get(i);
        List<Object> values = new ArrayList<>(List.of(run.label(), run.dir(), run.family(), (long) r[0], (long) r[1],
            (long) r[2], r[3], r[4], r[5], (long) r[6], wall[i], coreHours[i]));
        for (String c : trainingMetrics) {
          int at = s.columns().indexOf(c);
          values.add(at >= 0 && Double.isFinite(r[at]) ? r[at] : null);
        }
        statsRows.add(RowFactory.create(values.toArray()));
        csv.append(Csv.row(values.stream().map(v -> v == null ? "" : v).toList())).append('\n');
      }
    }
    parquet(spark, fs, statsRows, schema, new Path(dir, "stats.parquet"));
    HadoopFiles.write(fs, new Path(dir, "stats.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The union of the runs' training metric columns, in name order. */
  public static List<String> trainingMetricColumns(List<RunData> runs) {
    TreeSet<String> names = new TreeSet<>();
    runs.forEach(r -> names.addAll(r.stats().metricColumns()));
    names.removeAll(STATS_FIXED);
    return new ArrayList<>(names);
  }

  /** One Parquet file (not a directory of parts): Spark writes one part into a temporary directory, renamed. */
  private static void parquet(SparkSession spark, FileSystem fs, List<Row> rows, StructType schema, Path target)
      throws IOException {
    Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp");
    try {
      spark.createDataFrame(rows, schema).coalesce(1).write().mode(SaveMode.ErrorIfExists)
          .option("compression", "snappy").parquet(tmp.toString());
      FileStatus[] parts = fs.listStatus(tmp, p -> p.getName().startsWith("part-") && p.getName().endsWith(".parquet"));
      if (parts.length != 1) {
        throw new IOException("expected one Parquet part file in " + tmp + ", found " + parts.length);
      }
      if (!fs.rename(parts[0].getPath(), target)) {
        throw new IOException("cannot rename " + parts[0].getPath() + " to " + target);
      }
    } finally {
      fs.delete(tmp, true);
    }
  }
}
