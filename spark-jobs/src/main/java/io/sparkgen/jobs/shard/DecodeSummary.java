package io.sparkgen.jobs.shard;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Mergeable summary of a decode pass: images per shape, bad items per category, and the first bad
 * items by path (a deterministic choice whatever the partitioning).
 */
final class DecodeSummary implements Serializable {
  private static final long serialVersionUID = 1L;

  final int maxExamples;
  final TreeMap<String, Long> imagesByShape = new TreeMap<>();
  final TreeMap<String, Long> badByCategory = new TreeMap<>();
  final List<Decoded.Bad> examples = new ArrayList<>();
  long images;
  long bad;

  DecodeSummary(int maxExamples) {
    this.maxExamples = maxExamples;
  }

  DecodeSummary add(Decoded item) {
    if (item instanceof Decoded.Image image) {
      images++;
      imagesByShape.merge(image.image().shape(), 1L, Long::sum);
    } else if (item instanceof Decoded.Bad b) {
      bad++;
      badByCategory.merge(b.category(), 1L, Long::sum);
      examples.add(b);
      trim();
    }
    return this;
  }

  DecodeSummary merge(DecodeSummary other) {
    images += other.images;
    bad += other.bad;
    other.imagesByShape.forEach((k, v) -> imagesByShape.merge(k, v, Long::sum));
    other.badByCategory.forEach((k, v) -> badByCategory.merge(k, v, Long::sum));
    examples.addAll(other.examples);
    trim();
    return this;
  }

  /** The most frequent shape "HxWxC"; ties go to the smaller string. */
  String majorityShape() {
    return imagesByShape.entrySet().stream()
        .max(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
        .map(Map.Entry::getKey)
        .orElse(null);
  }

  private void trim() {
    if (examples.size() > 2 * maxExamples + 16) {
      examples.sort(Comparator.comparing(Decoded.Bad::where));
      examples.subList(maxExamples, examples.size()).clear();
    }
  }

  List<Decoded.Bad> firstExamples() {
    List<Decoded.Bad> sorted = new ArrayList<>(examples);
    sorted.sort(Comparator.comparing(Decoded.Bad::where));
    return List.copyOf(sorted.subList(0, Math.min(maxExamples, sorted.size())));
  }

  Map<String, Long> badByCategory() {
    return new TreeMap<>(badByCategory);
  }
}
