package io.sparkgen.jobs.eval;

import io.sparkgen.jobs.image.ImageBlock;
import io.sparkgen.jobs.spark.ExecutorPool;
import io.sparkgen.model.features.DomainClassifier;
import io.sparkgen.model.features.FeatureExtractor;
import io.sparkgen.model.features.FidInceptionV3;
import io.sparkgen.model.metrics.FeatureMoments;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A feature extractor as the jobs use it: read once on the driver (which checks it and learns its
 * hash), its file's bytes broadcast, and each executor loading it once ({@link ExecutorPool}).
 *
 * @param kind {@code domain} (a {@code sparkgen train-features} file) or {@code inception} (an {@code .npz} of
 *     pytorch-fid's FID Inception-v3 state_dict, see {@link FidInceptionV3})
 * @param path where it was read from
 * @param id the extractor's id, recorded with every metric
 * @param hash the extractor's content hash
 * @param protocol how images reach it
 * @param dimension feature dimension
 * @param hasLogits whether it gives class logits
 */
public record Extractor(String kind, String path, String id, String hash, String protocol, int dimension,
    boolean hasLogits, Broadcast<byte[]> bytes) implements Serializable {

  /** Reads and checks the extractor at {@code path}. */
  public static Extractor load(JavaSparkContext sc, String kind, String path) throws IOException {
    Path p = new Path(path);
    byte[] data;
    try (InputStream in = p.getFileSystem(sc.hadoopConfiguration()).open(p)) {
      data = in.readAllBytes();
    } catch (java.io.FileNotFoundException e) {
      throw new IllegalArgumentException("feature extractor " + path + " does not exist"
          + (kind.equals("domain") ? "; train one with: sparkgen train-features"
              : kind.equals("inception") ? "; convert pytorch-fid's weights to .npz (docs/inception.md)" : ""), e);
    }
    FeatureExtractor local = open(kind, data, path);
    return new Extractor(kind, path, local.id(), local.hash(), local.protocol(), local.dimension(), local.hasLogits(),
        sc.broadcast(data));
  }

  static FeatureExtractor open(String kind, byte[] data, String name) {
    return switch (kind) {
      case "domain" -> DomainClassifier.read(data, name);
      case "inception" -> FidInceptionV3.read(data, name);
      default -> throw new IllegalArgumentException("extractor kind must be domain or inception, got '" + kind + "'");
    };
  }

  /** The extractor on this JVM, loaded once per executor. */
  <R> R with(java.util.function.Function<FeatureExtractor, R> work) {
    return ExecutorPool.with("extractor:" + hash, () -> open(kind, bytes.value(), path), work);
  }

  /** Features of every block, computed on the executors in batches of at most {@code batchSize}. */
  public JavaRDD<FeatureBlock> features(JavaRDD<ImageBlock> images, int batchSize) {
    Extractor self = this;
    return images.mapPartitions(it -> {
      List<FeatureBlock> out = new ArrayList<>();
      while (it.hasNext()) {
        ImageBlock block = it.next();
        out.add(self.with(e -> apply(e, block, batchSize)));
      }
      return out.iterator();
    });
  }

  private static FeatureBlock apply(FeatureExtractor e, ImageBlock block, int batchSize) {
    INDArray x = block.toModelInput();
    int n = block.size();
    float[] features = new float[n * e.dimension()];
    float[] logits = null;
    int classes = 0;
    for (int from = 0; from < n; from += batchSize) {
      int to = Math.min(n, from + batchSize);
      FeatureExtractor.Output o = e.apply(x.get(NDArrayIndex.interval(from, to)));
      System.arraycopy(o.features().castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat(), 0, features,
          from * e.dimension(), (to - from) * e.dimension());
      if (o.logits() != null) {
        classes = (int) o.logits().size(1);
        if (logits == null) {
          logits = new float[n * classes];
        }
        System.arraycopy(o.logits().castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat(), 0, logits,
            from * classes, (to - from) * classes);
      }
    }
    return new FeatureBlock(block.first(), n, e.dimension(), features, classes, logits, block.labels());
  }

  /** Blocks in index order as one [N, d] float32 matrix on the driver. */
  public static INDArray matrix(List<FeatureBlock> blocks) {
    return rows(blocks, FeatureBlock::features, blocks.get(0).dimension());
  }

  /** Logits in index order [N, k], or null when the blocks have none. */
  public static INDArray logits(List<FeatureBlock> blocks) {
    return blocks.get(0).logits() == null ? null : rows(blocks, FeatureBlock::logits, blocks.get(0).classes());
  }

  private static INDArray rows(List<FeatureBlock> blocks, java.util.function.Function<FeatureBlock, float[]> values,
      int width) {
    List<FeatureBlock> sorted = new ArrayList<>(blocks);
    sorted.sort(Comparator.comparingLong(FeatureBlock::first));
    long n = sorted.stream().mapToLong(FeatureBlock::n).sum();
    float[] all = new float[Math.toIntExact(n * width)];
    int at = 0;
    for (FeatureBlock b : sorted) {
      float[] v = values.apply(b);
      System.arraycopy(v, 0, all, at, v.length);
      at += v.length;
    }
    return Nd4j.create(all, new long[] {n, width}, 'c');
  }

  /** Float64 moments of all blocks, merged pairwise by treeAggregate on the executors. */
  public static FeatureMoments moments(JavaRDD<FeatureBlock> blocks, int dimension) {
    return blocks.treeAggregate(new FeatureMoments(dimension),
        (m, b) -> m.add(Nd4j.create(b.features(), new long[] {b.n(), b.dimension()}, 'c')), FeatureMoments::merge);
  }
}
