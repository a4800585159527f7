package io.sparkgen.jobs.testing;

import io.sparkgen.jobs.config.ConfigLoader;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.shard.ShardJob;
import io.sparkgen.jobs.shard.ShardManifest;
import io.sparkgen.jobs.shard.ShardSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Runs shard jobs on the test session and reads their output back. */
public final class Shards {

  private Shards() {}

  /** Runs {@code sparkgen shard} with {@code --set} overrides ({@code key=value}, keys under shard.). */
  public static ShardManifest run(String... overrides) {
    List<String> sets = new ArrayList<>();
    for (String o : overrides) {
      sets.add(o.startsWith("shard.") || o.startsWith("seed") ? o : "shard." + o);
    }
    ResolvedConfig config = ConfigLoader.load(List.of(), sets, Map.of());
    try {
      return new ShardJob(TestSpark.session(), config).run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One stored image row. */
  public record StoredImage(String id, int label, int height, int width, int channels, byte[] pixels, boolean test) {}

  /** Every row of a committed shard set, by id. */
  public static Map<String, StoredImage> read(String dir) {
    SparkSession spark = TestSpark.session();
    try {
      ShardSet set = ShardSet.open(dir, spark.sparkContext().hadoopConfiguration());
      Map<String, StoredImage> rows = new TreeMap<>();
      for (boolean test : new boolean[] {false, true}) {
        List<String> files = set.files(test);
        if (files.isEmpty()) {
          continue;
        }
        for (Row r : spark.read().parquet(files.toArray(String[]::new)).collectAsList()) {
          StoredImage image = new StoredImage(r.getString(0), r.getInt(1), r.getInt(2), r.getInt(3), r.getInt(4),
              (byte[]) r.get(5), test);
          if (rows.put(image.id(), image) != null) {
            throw new AssertionError("id stored twice: " + image.id());
          }
        }
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static boolean samePixels(StoredImage stored, byte[] expected) {
    return Arrays.equals(stored.pixels(), expected);
  }
}
