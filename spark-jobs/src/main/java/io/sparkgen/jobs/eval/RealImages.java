package io.sparkgen.jobs.eval;

import io.sparkgen.jobs.image.ImageBlock;
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
  public static JavaRDD<ImageBlock> firstN(JavaSparkContext sc, ShardSet set, boolean test, long n, int blockSize,
      int partitions) {
    ShardManifest.Split split = test ? set.manifest().test() : set.manifest().train();
    String name = (test ? "test" : "train") + " split of " + set.directory();
    if (n <= 0) {
      throw new IllegalArgumentException("the number of real images must be > 0, got " + n);
    }
    if (n > split.count()) {
      throw new IllegalArgumentException("the " + name + " has " + split.count() + " images, fewer than the " + n
          + " requested; ask for at most " + split.count() + " real images");
    }
    // Where each shard's images start in the concatenated order, and how many of them are taken.
    List<long[]> takes = new ArrayList<>();
    long offset = 0;
    for (ShardManifest.Shard shard : split.shards()) {
      long take = Math.max(0, Math.min(shard.count(), n - offset));
      takes.add(new long[] {shard.index(), offset, take});
      offset += shard.count();
    }
    return set.load(sc, test).flatMap(shard -> {
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
