package io.sparkgen.jobs.shard;

import io.sparkgen.jobs.fs.SerializableHadoopConf;
import io.sparkgen.jobs.image.BadImageException;
import io.sparkgen.jobs.image.ImageCodec;
import io.sparkgen.jobs.image.ImagePipeline;
import io.sparkgen.model.provenance.Hashes;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Parquet with a column of encoded image bytes (PNG/JPEG), e.g. a Hugging Face datasets export
 * ({@code image.bytes}). Optional integer label and string id columns; without an id column the
 * id is {@code sha256:<hex>} of the image bytes, which is stable under appends and reordering.
 */
final class ParquetImageReader implements CollectionReader {
  private static final long serialVersionUID = 1L;
  private final ShardConfig.ParquetColumns columns;

  ParquetImageReader(ShardConfig.ParquetColumns columns) {
    this.columns = columns;
  }

  @Override
  public boolean accepts(String name) {
    return name.endsWith(".parquet");
  }

  @Override
  public JavaRDD<Decoded> read(SparkSession spark, InputListing listing, ImagePipeline pipeline, Broadcast<SerializableHadoopConf> conf) {
    String[] uris = listing.files().stream().map(SourceFile::uri).toArray(String[]::new);
    Dataset<Row> table = spark.read().parquet(uris);
    List<Column> select = new ArrayList<>();
    select.add(column(table, columns.image(), DataTypes.BinaryType, "image").as("image"));
    boolean labelled = !columns.label().isEmpty() && has(table, columns.label());
    select.add(labelled ? column(table, columns.label(), DataTypes.IntegerType, "label").cast("int").as("label")
        : functions.lit(-1).as("label"));
    boolean hasId = !columns.id().isEmpty();
    select.add(hasId ? column(table, columns.id(), DataTypes.StringType, "id").cast("string").as("id")
        : functions.lit(null).cast("string").as("id"));
    select.add(functions.input_file_name().as("file"));
    return table.select(select.toArray(Column[]::new)).javaRDD().map(row -> decode(row, pipeline));
  }

  private static Decoded decode(Row row, ImagePipeline pipeline) {
    String file = row.getString(3);
    byte[] bytes = row.isNullAt(0) ? null : (byte[]) row.get(0);
    String id = row.isNullAt(2) ? (bytes == null ? null : "sha256:" + Hashes.sha256Hex(bytes)) : row.getString(2);
    String where = file + "#" + (id == null ? "?" : id);
    if (bytes == null) {
      return new Decoded.Bad(where, "null image bytes");
    }
    if (row.isNullAt(1)) {
      return new Decoded.Bad(where, "null label");
    }
    try {
      return new Decoded.Image(id, row.getInt(1), pipeline.apply(ImageCodec.decode(bytes)));
    } catch (BadImageException e) {
      return new Decoded.Bad(where, e.getMessage());
    }
  }

  private static boolean has(Dataset<Row> table, String name) {
    try {
      table.col(name);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static Column column(Dataset<Row> table, String name, DataType expected, String role) {
    Column column;
    DataType actual;
    try {
      column = table.col(name);
      actual = table.select(column).schema().fields()[0].dataType();
    } catch (Exception e) {
      throw new IllegalArgumentException("parquet input has no column '" + name + "' (shard.input.parquet." + role
          + "); its columns are: " + table.schema().simpleString(), e);
    }
    boolean ok = expected == DataTypes.BinaryType ? actual == DataTypes.BinaryType
        : expected == DataTypes.IntegerType ? actual instanceof org.apache.spark.sql.types.IntegralType
        : true;
    if (!ok) {
      throw new IllegalArgumentException("parquet column '" + name + "' (shard.input.parquet." + role + ") has type "
          + actual.simpleString() + ", expected " + expected.simpleString());
    }
    return column;
  }
}
