package io.sparkgen.jobs.shard;

import io.sparkgen.jobs.image.ImageBlock;
import io.sparkgen.jobs.image.RawImage;
import io.sparkgen.model.train.ImageDataset;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/**
 * One shard read into memory on an executor, checked against the manifest's row digest: uint8 HWC
 * pixels on the Java heap (where Spark accounts for them), turned into a model-lib
 * {@link ImageDataset} when a trainer needs it.
 *
 * @param index shard index within its split
 * @param ids image ids in row order
 * @param labels labels in row order (-1: unlabelled)
 * @param pixels all images' HWC bytes, concatenated
 */
public record ShardImages(int index, int height, int width, int channels, String[] ids, int[] labels, byte[] pixels)
    implements Serializable {

  public int count() {
    return ids.length;
  }

  /** Reads one shard file and checks its content against {@code expectedSha256} (the manifest's). */
  public static ShardImages read(int index, String uri, ShardManifest.Shape shape, String expectedSha256,
      Configuration conf) throws IOException {
    int size = shape.height() * shape.width() * shape.channels();
    List<String> ids = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    java.io.ByteArrayOutputStream pixels = new java.io.ByteArrayOutputStream();
    RowDigest digest = new RowDigest();
    try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), new Path(uri)).withConf(conf).build()) {
      for (Group row; (row = reader.read()) != null; ) {
        String id = row.getString("id", 0);
        int label = row.getInteger("label", 0);
        int h = row.getInteger("height", 0);
        int w = row.getInteger("width", 0);
        int c = row.getInteger("channels", 0);
        byte[] p = row.getBinary("pixels", 0).getBytes();
        if (h != shape.height() || w != shape.width() || c != shape.channels() || p.length != size) {
          throw new IOException(uri + ": row " + id + " is " + h + "x" + w + "x" + c + " (" + p.length
              + " bytes); the manifest says " + shape.height() + "x" + shape.width() + "x" + shape.channels());
        }
        digest.add(id, label, h, w, c, p);
        ids.add(id);
        labels.add(label);
        pixels.write(p);
      }
    }
    String actual = digest.hex();
    if (!actual.equals(expectedSha256)) {
      throw new IOException(uri + ": content SHA-256 " + actual + " differs from the manifest's " + expectedSha256
          + "; the shard was changed or damaged after it was written");
    }
    return new ShardImages(index, shape.height(), shape.width(), shape.channels(), ids.toArray(String[]::new),
        labels.stream().mapToInt(Integer::intValue).toArray(), pixels.toByteArray());
  }

  /** Images {@code from .. to - 1} of this shard as a block numbered from {@code first}. */
  public ImageBlock block(int from, int to, long first) {
    int size = height * width * channels;
    List<RawImage> images = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      images.add(new RawImage(height, width, channels, java.util.Arrays.copyOfRange(pixels, i * size, (i + 1) * size)));
    }
    boolean labelled = java.util.Arrays.stream(labels, from, to).allMatch(l -> l >= 0);
    return new ImageBlock(first, images, labelled ? java.util.Arrays.copyOfRange(labels, from, to) : null);
  }

  /** The same images as shard {@code newIndex} (a dataset numbers the shards of all its parts in order). */
  public ShardImages withIndex(int newIndex) {
    return new ShardImages(newIndex, height, width, channels, ids, labels, pixels);
  }

  /** The first {@code n} images (all if fewer). */
  public ShardImages head(int n) {
    int k = Math.min(n, count());
    int size = height * width * channels;
    return new ShardImages(index, height, width, channels, java.util.Arrays.copyOf(ids, k),
        java.util.Arrays.copyOf(labels, k), java.util.Arrays.copyOf(pixels, k * size));
  }

  /**
   * The images as a trainer reads them: [N, C, H, W] floats x = p / 127.5 - 1 in [-1, 1]; labels
   * null when the shard has no labels.
   */
  public ImageDataset toDataset(String manifestHash) {
    boolean labelled = java.util.Arrays.stream(labels).allMatch(l -> l >= 0);
    return new ImageDataset(ImageBlock.toModelInput(pixels, count(), height, width, channels),
        labelled ? labels.clone() : null, manifestHash);
  }
}
