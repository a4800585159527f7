package io.sparkgen.jobs.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.image.ImageBlock;
import io.sparkgen.jobs.shard.DataVersion;
import io.sparkgen.jobs.shard.ShardImages;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import io.sparkgen.jobs.testing.TestSpark;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real images of an evaluation: the first N in shard order, numbered, whatever the partitioning. */
class RealImagesTest {

  @TempDir Path tmp;

  @Test
  void firstNImagesInShardOrderAndTooManyIsNamed() throws Exception {
    Fixtures.idx(tmp.resolve("in"), "train", 50, 4, 4, false);
    Shards.run("input.format=idx", "input.paths=[\"" + tmp.resolve("in") + "\"]", "output=" + tmp.resolve("set"),
        "shards.train=3", "split.test-fraction=0");
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
    DataVersion data = DataVersion.open(tmp.resolve("set").toString(), sc.hadoopConfiguration());
    List<ShardImages> shards = data.load(sc, false).collect().stream()
        .sorted(Comparator.comparingInt(ShardImages::index)).toList();
    byte[] expected = new byte[37 * 16];
    int at = 0;
    for (ShardImages s : shards) {
      int take = Math.min(s.count(), 37 - at / 16);
      System.arraycopy(s.pixels(), 0, expected, at, take * 16);
      at += take * 16;
    }
    for (int partitions : new int[] {1, 4}) {
      List<ImageBlock> blocks = RealImages.firstN(sc, data, false, 37, 5, partitions).collect().stream()
          .sorted(Comparator.comparingLong(ImageBlock::first)).toList();
      byte[] actual = new byte[37 * 16];
      long next = 0;
      for (ImageBlock b : blocks) {
        assertEquals(next, b.first(), "blocks are contiguous");
        for (int i = 0; i < b.size(); i++) {
          System.arraycopy(b.images().get(i).pixels(), 0, actual, (int) (b.first() + i) * 16, 16);
        }
        next += b.size();
      }
      assertEquals(37, next);
      assertArrayEquals(expected, actual, partitions + " partitions");
    }
    IllegalArgumentException many = assertThrows(IllegalArgumentException.class,
        () -> RealImages.firstN(sc, data, false, 51, 5, 2));
    assertTrue(many.getMessage().contains("has 50 images, fewer than the 51 requested"), many.getMessage());
  }
}
