package io.sparkgen.jobs.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import io.sparkgen.jobs.testing.TestSpark;
import io.sparkgen.model.train.ImageDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a shard set for training: one partition per shard, checked against the manifest, scaled to [-1, 1]. */
class ShardSetLoadTest {

  @TempDir Path tmp;

  private JavaSparkContext sc() {
    return JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
  }

  @Test
  void partitionIHoldsShardIWithItsPixelsScaled() throws Exception {
    Fixtures.idx(tmp.resolve("in"), "train", 120, 3, 2, false);
    ShardManifest m = Shards.run("input.format=idx", "input.paths=[\"" + tmp.resolve("in") + "\"]",
        "output=" + tmp.resolve("out"), "shards.train=3", "split.test-fraction=0.25");
    ShardSet set = ShardSet.open(tmp.resolve("out").toString(), TestSpark.session().sparkContext().hadoopConfiguration());

    List<ShardImages> train = set.load(sc(), false).collect();
    assertEquals(3, train.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(i, train.get(i).index());
      assertEquals(m.train().shards().get(i).count(), train.get(i).count());
    }
    assertEquals(m.test().count(), set.load(sc(), true).collect().stream().mapToInt(ShardImages::count).sum());

    ShardImages shard = train.get(1);
    ImageDataset data = shard.toDataset(m.shardSetSha256());
    assertArrayEquals(new long[] {shard.count(), 1, 3, 2}, data.images().shape());
    String id = shard.ids()[0];
    int image = Integer.parseInt(id.substring(id.indexOf('#') + 1));
    byte[] expected = Fixtures.pattern(image, 6);
    for (int p = 0; p < 6; p++) {
      assertEquals((expected[p] & 0xff) / 127.5 - 1, data.images().getDouble(0, 0, p / 2, p % 2), 1e-6);
    }
    assertEquals(Fixtures.label(image), data.labels()[0]);
    assertEquals(m.shardSetSha256(), data.manifestHash());
  }

  @Test
  void unlabelledShardsGiveNoLabelsAndRgbIsChannelFirst() {
    for (int i = 0; i < 8; i++) {
      Fixtures.png(tmp.resolve("flat").resolve("img-" + i + ".png"), Fixtures.image(i, 2, 2, 3));
    }
    Shards.run("input.format=image-folder", "input.paths=[\"" + tmp.resolve("flat") + "\"]",
        "output=" + tmp.resolve("out"), "shards.train=1", "split.test-fraction=0");
    ShardSet set = openQuietly(tmp.resolve("out"));
    ShardImages shard = set.load(sc(), false).first();
    ImageDataset data = shard.toDataset("h");
    assertNull(data.labels());
    int image = Integer.parseInt(shard.ids()[0].replaceAll("\\D", ""));
    byte[] hwc = Fixtures.pattern(image, 12);
    // pixel (y=1, x=0), channel 2 is HWC byte (1*2+0)*3+2 = 8
    assertEquals((hwc[8] & 0xff) / 127.5 - 1, data.images().getDouble(0, 2, 1, 0), 1e-6);
  }

  @Test
  void aShardWhoseContentDiffersFromTheManifestIsRefused() throws Exception {
    Fixtures.idx(tmp.resolve("in"), "train", 30, 2, 2, false);
    ShardManifest m = Shards.run("input.format=idx", "input.paths=[\"" + tmp.resolve("in") + "\"]",
        "output=" + tmp.resolve("out"), "shards.train=1", "split.test-fraction=0");
    Path manifest = tmp.resolve("out/manifest.json");
    String sha = m.train().shards().get(0).sha256();
    Files.writeString(manifest, Files.readString(manifest).replace(sha, "0".repeat(64)));
    Files.deleteIfExists(tmp.resolve("out/.manifest.json.crc"));
    Exception e = assertThrows(Exception.class, () -> openQuietly(tmp.resolve("out")).load(sc(), false).collect());
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    assertTrue(root.getMessage().contains("differs from the manifest's " + "0".repeat(64)), root.getMessage());
  }

  private static ShardSet openQuietly(Path dir) {
    try {
      return ShardSet.open(dir.toString(), TestSpark.session().sparkContext().hadoopConfiguration());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
