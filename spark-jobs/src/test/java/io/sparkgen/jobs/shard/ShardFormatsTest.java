package io.sparkgen.jobs.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.image.ImageCodec;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import io.sparkgen.jobs.testing.Shards.StoredImage;
import io.sparkgen.jobs.testing.TestSpark;
import io.sparkgen.model.provenance.Hashes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every input format shards to the pixels and labels it holds, with a manifest that adds up. */
class ShardFormatsTest {

  @TempDir Path tmp;

  @Test
  void idxGzipAndPlainGiveIdenticalShards() {
    Fixtures.idx(tmp.resolve("gz"), "train", 300, 28, 28, true);
    Fixtures.idx(tmp.resolve("gz"), "t10k", 50, 28, 28, true);
    Fixtures.idx(tmp.resolve("plain"), "train", 300, 28, 28, false);
    Fixtures.idx(tmp.resolve("plain"), "t10k", 50, 28, 28, false);

    ShardManifest gz = Shards.run("input.format=idx", "input.paths=[\"" + tmp.resolve("gz") + "\"]",
        "output=" + tmp.resolve("out-gz"), "shards.train=3", "split.test-fraction=0.2");
    ShardManifest plain = Shards.run("input.format=idx", "input.paths=[\"" + tmp.resolve("plain") + "\"]",
        "output=" + tmp.resolve("out-plain"), "shards.train=3", "split.test-fraction=0.2");

    assertEquals(350, gz.images());
    assertEquals(new ShardManifest.Shape(28, 28, 1, "uint8", "HWC"), gz.shape());
    assertEquals(4, gz.source().fileCount());
    assertEquals(0, gz.badInput().skipped());
    // Ids drop ".gz", so the same images give the same shard set whatever the compression.
    assertEquals(gz.shardSetSha256(), plain.shardSetSha256());
    assertEquals(gz.provenance().dataManifestHash(), gz.shardSetSha256());

    Map<String, StoredImage> rows = Shards.read(tmp.resolve("out-gz").toString());
    assertEquals(350, rows.size());
    for (int i : new int[] {0, 1, 149, 299}) {
      StoredImage row = rows.get("train-images-idx3-ubyte#" + i);
      assertEquals(Fixtures.label(i), row.label());
      assertArrayEquals(Fixtures.pattern(i, 784), row.pixels());
    }
    assertArrayEquals(Fixtures.pattern(49, 784), rows.get("t10k-images-idx3-ubyte#49").pixels());
    assertManifestAddsUp(gz, rows);
  }

  @Test
  void imageFolderTakesClassesFromSubFolders() {
    Fixtures.pngFolder(tmp.resolve("png"), 60, 12, 10, 3);
    Fixtures.write(tmp.resolve("png/README.txt"), "not an image".getBytes(), false);

    ShardManifest m = Shards.run("input.format=image-folder", "input.paths=[\"" + tmp.resolve("png") + "\"]",
        "output=" + tmp.resolve("out"), "split.test-fraction=0.25");

    assertEquals(60, m.images());
    assertEquals(List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"), m.classNames());
    assertEquals(1, m.source().ignoredFiles());
    assertEquals(new ShardManifest.Shape(12, 10, 3, "uint8", "HWC"), m.shape());
    Map<String, StoredImage> rows = Shards.read(tmp.resolve("out").toString());
    for (int i = 0; i < 60; i++) {
      StoredImage row = rows.get("c" + Fixtures.label(i) + String.format("/img-%04d.png", i));
      assertEquals(Fixtures.label(i), row.label(), "sorted class names index the labels");
      assertArrayEquals(Fixtures.pattern(i, 12 * 10 * 3), row.pixels(), "PNG is lossless");
    }
    assertManifestAddsUp(m, rows);
  }

  @Test
  void imageFolderConvertsToGrayscaleAndResizes() {
    Fixtures.pngFolder(tmp.resolve("png"), 20, 40, 30, 3);
    ShardManifest m = Shards.run("input.format=image-folder", "input.paths=[\"" + tmp.resolve("png") + "\"]",
        "output=" + tmp.resolve("out"), "image.channels=grayscale", "image.height=16", "image.width=16",
        "image.resize=scale-crop");
    assertEquals(new ShardManifest.Shape(16, 16, 1, "uint8", "HWC"), m.shape());
    assertEquals(20, m.images());
  }

  @Test
  void cifarPlanesBecomeInterleavedRgb() {
    Fixtures.cifar(tmp.resolve("cifar/data_batch_1.bin"), 40);
    Fixtures.cifar(tmp.resolve("cifar/test_batch.bin"), 10);
    Fixtures.write(tmp.resolve("cifar/batches.meta.txt"),
        "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n".getBytes(), false);

    ShardManifest m = Shards.run("input.format=cifar10", "input.paths=[\"" + tmp.resolve("cifar") + "\"]",
        "output=" + tmp.resolve("out"));

    assertEquals(50, m.images());
    assertEquals("airplane", m.classNames().get(0));
    assertEquals(new ShardManifest.Shape(32, 32, 3, "uint8", "HWC"), m.shape());
    Map<String, StoredImage> rows = Shards.read(tmp.resolve("out").toString());
    assertArrayEquals(Fixtures.pattern(7, 3072), rows.get("data_batch_1.bin#7").pixels());
    assertEquals(Fixtures.label(7), rows.get("data_batch_1.bin#7").label());
    assertArrayEquals(Fixtures.pattern(3, 3072), rows.get("test_batch.bin#3").pixels());
    assertManifestAddsUp(m, rows);
  }

  @Test
  void parquetWithImageBytesUsesIdColumnOrContentHash() {
    StructType schema = new StructType()
        .add("image", new StructType().add("bytes", DataTypes.BinaryType).add("path", DataTypes.StringType))
        .add("label", DataTypes.LongType)
        .add("key", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      byte[] png = ImageCodec.encodePng(Fixtures.image(i, 8, 8, 1));
      rows.add(RowFactory.create(RowFactory.create(png, "x.png"), (long) Fixtures.label(i), "key-" + i));
    }
    TestSpark.session().createDataFrame(rows, schema).repartition(3)
        .write().parquet(tmp.resolve("pq").toString());

    ShardManifest withIds = Shards.run("input.format=parquet", "input.paths=[\"" + tmp.resolve("pq") + "\"]",
        "output=" + tmp.resolve("out1"), "input.parquet.image=image.bytes", "input.parquet.id=key");
    Map<String, StoredImage> byKey = Shards.read(tmp.resolve("out1").toString());
    assertEquals(30, withIds.images());
    assertEquals(Fixtures.label(5), byKey.get("key-5").label());
    assertArrayEquals(Fixtures.pattern(5, 64), byKey.get("key-5").pixels());

    Shards.run("input.format=parquet", "input.paths=[\"" + tmp.resolve("pq") + "\"]",
        "output=" + tmp.resolve("out2"), "input.parquet.image=image.bytes");
    Map<String, StoredImage> byContent = Shards.read(tmp.resolve("out2").toString());
    String id = "sha256:" + Hashes.sha256Hex(ImageCodec.encodePng(Fixtures.image(5, 8, 8, 1)));
    assertArrayEquals(Fixtures.pattern(5, 64), byContent.get(id).pixels());
  }

  /** Counts per shard and split, label histograms and channel means agree with the stored rows. */
  static void assertManifestAddsUp(ShardManifest m, Map<String, StoredImage> rows) {
    long train = rows.values().stream().filter(r -> !r.test()).count();
    assertEquals(m.train().count(), train);
    assertEquals(m.test().count(), rows.size() - train);
    assertEquals(m.train().count(), m.train().shards().stream().mapToLong(ShardManifest.Shard::count).sum());
    assertEquals(m.test().count(), m.test().shards().stream().mapToLong(ShardManifest.Shard::count).sum());
    Map<Integer, Long> labels = new TreeMap<>();
    double[] sum = new double[m.shape().channels()];
    long pixels = 0;
    for (StoredImage r : rows.values()) {
      if (!r.test()) {
        labels.merge(r.label(), 1L, Long::sum);
        for (int k = 0; k < r.pixels().length; k++) {
          sum[k % sum.length] += r.pixels()[k] & 0xff;
        }
        pixels += (long) r.height() * r.width();
      }
    }
    assertEquals(labels, m.train().labelHistogram());
    for (int c = 0; c < sum.length; c++) {
      assertEquals(sum[c] / pixels / 255.0, m.train().channelMean()[c], 1e-12);
    }
    assertTrue(m.train().channelStd()[0] > 0);
  }
}
