package io.sparkgen.jobs.shard;

import io.sparkgen.jobs.image.RawImage;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Statistics of one shard, gathered in row order: count, label histogram, float64 per-channel sums
 * of pixel values and their squares, duplicate ids, and the {@link RowDigest} of its rows.
 */
final class ShardStats implements Serializable {
  private static final long serialVersionUID = 1L;

  final int partition;
  final TreeMap<Integer, Long> labels = new TreeMap<>();
  double[] sum;
  double[] sumSquares;
  long count;
  long duplicates;
  final TreeMap<String, Long> duplicatesByReason = new TreeMap<>();
  final List<Decoded.Bad> duplicateExamples = new ArrayList<>();
  String sha256;
  private transient RowDigest digest = new RowDigest();

  ShardStats(int partition) {
    this.partition = partition;
  }

  void add(String id, int label, RawImage image) {
    if (sum == null) {
      sum = new double[image.channels()];
      sumSquares = new double[image.channels()];
    }
    count++;
    labels.merge(label, 1L, Long::sum);
    int c = image.channels();
    byte[] pixels = image.pixels();
    long[] s = new long[c];
    long[] s2 = new long[c];
    for (int i = 0; i < pixels.length; i++) {
      int v = pixels[i] & 0xff;
      s[i % c] += v;
      s2[i % c] += (long) v * v;
    }
    for (int k = 0; k < c; k++) {
      sum[k] += s[k];
      sumSquares[k] += s2[k];
    }
    digest.add(id, label, image.height(), image.width(), image.channels(), pixels);
  }

  void duplicate(String id, String reason, int maxExamples) {
    duplicates++;
    duplicatesByReason.merge(new Decoded.Bad(id, reason).category(), 1L, Long::sum);
    if (duplicateExamples.size() < maxExamples) {
      duplicateExamples.add(new Decoded.Bad(id, reason));
    }
  }

  ShardStats finish() {
    sha256 = digest.hex();
    return this;
  }
}
