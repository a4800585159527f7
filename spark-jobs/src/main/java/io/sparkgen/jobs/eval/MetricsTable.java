package io.sparkgen.jobs.eval;

import io.sparkgen.jobs.fs.Csv;
import io.sparkgen.jobs.fs.HadoopFiles;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The metrics table of a run directory: {@code metrics/part-<evaluation id>.parquet}, one file per
 * evaluation, each committed by rename (so a reader sees whole evaluations or none, and appending
 * never rewrites earlier rows), and {@code metrics.csv}, all rows, rewritten atomically after each
 * append. Columns are {@link MetricRow}'s components in snake_case.
 */
public final class MetricsTable {

  public static final String DIRECTORY = "metrics";
  public static final String CSV = "metrics.csv";
  private static final RecordComponent[] COMPONENTS = MetricRow.class.getRecordComponents();
  public static final StructType SCHEMA = schema();

  private MetricsTable() {}

  /** Appends the rows of one evaluation; returns the Parquet file written. */
  public static Path append(SparkSession spark, Path runDir, String evaluationId, List<MetricRow> rows)
      throws IOException {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no metric rows to append for evaluation " + evaluationId);
    }
    FileSystem fs = runDir.getFileSystem(spark.sparkContext().hadoopConfiguration());
    Path dir = new Path(runDir, DIRECTORY);
    Path target = new Path(dir, "part-" + evaluationId + ".parquet");
    if (fs.exists(target)) {
      throw new IOException(target + " already exists: evaluation " + evaluationId + " was appended before");
    }
    Path staging = new Path(dir, ".staging-" + evaluationId);
    try {
      List<Row> sparkRows = rows.stream().map(MetricsTable::toRow).toList();
      spark.createDataFrame(sparkRows, SCHEMA).coalesce(1).write().mode(SaveMode.ErrorIfExists)
          .option("compression", "snappy").parquet(staging.toString());
      FileStatus[] parts = fs.listStatus(staging, p -> p.getName().startsWith("part-") && p.getName().endsWith(".parquet"));
      if (parts.length != 1) {
        throw new IOException("expected one Parquet part file in " + staging + ", found " + parts.length);
      }
      if (!fs.rename(parts[0].getPath(), target)) {
        throw new IOException("cannot rename " + parts[0].getPath() + " to " + target);
      }
    } finally {
      fs.delete(staging, true);
    }
    HadoopFiles.write(fs, new Path(runDir, CSV), csv(read(spark, runDir)).getBytes(StandardCharsets.UTF_8));
    return target;
  }

  /** All rows of the run, ordered by creation time, step and metric; empty when there is no table. */
  public static List<MetricRow> read(SparkSession spark, Path runDir) throws IOException {
    FileSystem fs = runDir.getFileSystem(spark.sparkContext().hadoopConfiguration());
    Path dir = new Path(runDir, DIRECTORY);
    if (!fs.exists(dir) || fs.listStatus(dir, p -> p.getName().endsWith(".parquet")).length == 0) {
      return List.of();
    }
    Dataset<Row> table = spark.read().schema(SCHEMA).parquet(new Path(dir, "*.parquet").toString());
    List<MetricRow> rows = new ArrayList<>(table.collectAsList().stream().map(MetricsTable::fromRow).toList());
    rows.sort(Comparator.comparing(MetricRow::createdAt).thenComparingLong(MetricRow::step)
        .thenComparing(MetricRow::metric));
    return rows;
  }

  /** The rows as CSV with a header of the column names; numbers in Java's shortest round-trip form. */
  public static String csv(List<MetricRow> rows) {
    StringBuilder out = new StringBuilder();
    List<String> header = new ArrayList<>();
    for (RecordComponent c : COMPONENTS) {
      header.add(column(c.getName()));
    }
    out.append(Csv.row(header)).append('\n');
    for (MetricRow row : rows) {
      out.append(Csv.row(java.util.Arrays.asList(values(row)))).append('\n');
    }
    return out.toString();
  }

  /** {@code nReal} is {@code n_real}. */
  static String column(String component) {
    StringBuilder out = new StringBuilder();
    for (char c : component.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('_').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static StructType schema() {
    List<StructField> fields = new ArrayList<>();
    for (RecordComponent c : COMPONENTS) {
      fields.add(DataTypes.createStructField(column(c.getName()), sparkType(c.getType()), false));
    }
    return DataTypes.createStructType(fields);
  }

  private static DataType sparkType(Class<?> type) {
    if (type == String.class) {
      return DataTypes.StringType;
    } else if (type == long.class) {
      return DataTypes.LongType;
    } else if (type == double.class) {
      return DataTypes.DoubleType;
    }
    throw new IllegalStateException("no column type for " + type);
  }

  private static Object[] values(MetricRow row) {
    Object[] values = new Object[COMPONENTS.length];
    try {
      for (int i = 0; i < COMPONENTS.length; i++) {
        values[i] = COMPONENTS[i].getAccessor().invoke(row);
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
    return values;
  }

  private static Row toRow(MetricRow row) {
    return RowFactory.create(values(row));
  }

  private static MetricRow fromRow(Row row) {
    Object[] values = new Object[COMPONENTS.length];
    Class<?>[] types = new Class<?>[COMPONENTS.length];
    for (int i = 0; i < COMPONENTS.length; i++) {
      values[i] = row.get(i);
      types[i] = COMPONENTS[i].getType();
    }
    try {
      return MetricRow.class.getDeclaredConstructor(types).newInstance(values);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read a metric row " + row, e);
    }
  }
}
