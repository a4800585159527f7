package io.sparkgen.jobs.sample;

import io.sparkgen.jobs.image.ImageBlock;
import io.sparkgen.jobs.image.ImageGrid;
import io.sparkgen.jobs.spark.ExecutorPool;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.SamplerOptions;
import io.sparkgen.model.checkpoint.Checkpoint;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.provenance.Hashes;
import java.io.ByteArrayInputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Images 0..count-1 drawn from a checkpoint on the executors: the checkpoint travels as a broadcast,
 * each executor rebuilds the model once ({@link ExecutorPool}), and image i comes from
 * {@code Seeds.forImage(seed, i)} only, so the result is the same however the work is split.
 *
 * @param seed the sampling seed
 * @param ema sample with the EMA weights (else the last step's)
 * @param classLabel for a conditional model: -1 cycles through the classes (image i gets i mod K), else this class
 * @param options the sampler's options, e.g. sampler=ddim, steps=50
 * @param batchSize images per sampler call
 */
public record Generation(long seed, boolean ema, int classLabel, Map<String, String> options, int batchSize)
    implements Serializable {

  public Generation {
    options = new TreeMap<>(options);
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
    }
  }

  /** Class labels of images first..first+count-1, or null for an unconditional model. */
  public int[] labels(int classes, long first, int count) {
    if (classes <= 0) {
      return null;
    }
    if (classLabel >= classes) {
      throw new IllegalArgumentException("class label " + classLabel + " outside [0, " + classes + ")");
    }
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = classLabel >= 0 ? classLabel : (int) ((first + i) % classes);
    }
    return labels;
  }

  /** The images, one partition per contiguous range of whole batches. */
  public JavaRDD<ImageBlock> generate(JavaSparkContext sc, byte[] checkpoint, long count, int partitions) {
    if (count <= 0 || partitions <= 0) {
      throw new IllegalArgumentException("count and partitions must be > 0, got " + count + ", " + partitions);
    }
    // Whole batches per partition: image i is always drawn in the batch [B floor(i / B), B floor(i / B) + B),
    // so even the floating-point rounding of batched network calls is the same for any partitioning.
    List<long[]> ranges = new ArrayList<>();
    long batches = (count + batchSize - 1) / batchSize;
    for (int p = 0; p < partitions; p++) {
      long from = Math.min(count, batches * p / partitions * batchSize);
      long to = Math.min(count, batches * (p + 1) / partitions * batchSize);
      if (to > from) {
        ranges.add(new long[] {from, to});
      }
    }
    Broadcast<byte[]> bytes = sc.broadcast(checkpoint);
    String key = "generation:" + Hashes.sha256Hex(checkpoint) + ":" + ema;
    return sc.parallelize(ranges, ranges.size()).mapPartitions(it -> {
      List<ImageBlock> blocks = new ArrayList<>();
      while (it.hasNext()) {
        long[] range = it.next();
        ExecutorPool.with(key, () -> Loaded.of(bytes.value(), ema), loaded -> blocks.addAll(draw(loaded, range[0], range[1])));
      }
      return blocks.iterator();
    });
  }

  private List<ImageBlock> draw(Loaded loaded, long from, long to) {
    List<ImageBlock> blocks = new ArrayList<>();
    SamplerOptions samplerOptions = SamplerOptions.of(options);
    for (long first = from; first < to; first += batchSize) {
      int n = (int) Math.min(batchSize, to - first);
      int[] labels = labels(loaded.classes(), first, n);
      var images = loaded.model().sampler().sample(loaded.weights(),
          new SampleRequest(seed, first, n, labels, samplerOptions));
      blocks.add(new ImageBlock(first, ImageGrid.fromModelOutput(images), labels));
    }
    return blocks;
  }

  /** A model rebuilt from checkpoint bytes, with the weights to sample from. */
  public record Loaded(GenerativeModel model, NamedArrays weights, int classes) {
    public static Loaded of(byte[] bytes, boolean ema) {
      Checkpoint checkpoint = Checkpoint.read(new ByteArrayInputStream(bytes), "broadcast checkpoint");
      GenerativeModel model = checkpoint.model();
      return new Loaded(model, ema ? checkpoint.ema() : checkpoint.parameters(), model.config().numClasses());
    }
  }
}
