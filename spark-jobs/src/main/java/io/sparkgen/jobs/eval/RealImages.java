package io.sparkgen.jobs.eval;

import io.sparkgen.jobs.image.ImageBlock;
import io.sparkgen.jobs.shard.DataVersion;
import io.sparkgen.jobs.shard.ShardManifest;
import io.sparkgen.jobs.shard.ShardSet;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The real images a metric compares against: the first n images of a shard set's split in shard
 * order (rows are sorted by id within each shard, and shards are assigned by a hash of the id), so
 * the same n always means the same images — part of the statistics cache key.
 */
public final class RealImages {

  private RealImages() {}

  /** Blocks of at most {@code blockSize} images, spread over {@code partitions} partitions, in index order. */
  public static JavaRDD<ImageBlock> firstN(JavaSparkContext sc, DataVersion data, boolean test, long n, int blockSize,
      int partitions) {
    String name = (test ? "test" : "train") + " split of " + data.uri();
    long available = data.count(test);
    if (n <= 0) {
      throw new IllegalArgumentException("the number of real images must be > 0, got " + n);
    }
    if (n > available) {
      throw new IllegalArgumentException("the " + name + " has " + available + " images, fewer than the " + n
          + " requested; ask for at most " + available + " real images");
    }
    // Where each shard's images start in the concatenated order (shards numbered as DataVersion.load does).
    List<long[]> takes = new ArrayList<>();
    long offset = 0;
    int index = 0;
    for (ShardSet part : data.parts()) {
      for (ShardManifest.Shard shard : (test ? part.manifest().test() : part.manifest().train()).shards()) {
        if (shard.file() == null) {
          continue;
        }
        long take = Math.max(0, Math.min(shard.count(), n - offset));
        takes.add(new long[] {index++, offset, take});
        offset += shard.count();
      }
    }
    return data.load(sc, test).flatMap(shard -> {
      long[] take = takes.stream().filter(t -> t[0] == shard.index()).findFirst().orElseThrow();
      List<ImageBlock> blocks = new ArrayList<>();
      for (int from = 0; from < take[2]; from += blockSize) {
        int to = (int) Math.min(take[2], from + (long) blockSize);
        blocks.add(shard.block(from, to, take[1] + from));
      }
      return blocks.iterator();
    }).repartition(partitions);
  }
}
