package io.sparkgen.model.params;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Arrays by name, always sorted by name: the unit that is exported, averaged across workers,
 * checkpointed and restored (parameters, buffers, optimizer state, EMA). The arrays are live:
 * graphs built on them see in-place updates.
 */
public final class NamedArrays {

  private final TreeMap<String, INDArray> arrays;

  private NamedArrays(TreeMap<String, INDArray> arrays) {
    this.arrays = arrays;
  }

  public static NamedArrays empty() {
    return new NamedArrays(new TreeMap<>());
  }

  /** Wraps the given arrays (not copied). */
  public static NamedArrays of(Map<String, INDArray> arrays) {
    TreeMap<String, INDArray> sorted = new TreeMap<>();
    arrays.forEach(
        (name, array) -> {
          if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("array names must be non-empty");
          }
          sorted.put(name, java.util.Objects.requireNonNull(array, name));
        });
    return new NamedArrays(sorted);
  }

  /** The union of groups, each name prefixed with its group's key and '/'. */
  public static NamedArrays concat(Map<String, NamedArrays> groups) {
    TreeMap<String, INDArray> all = new TreeMap<>();
    groups.forEach((prefix, group) -> group.arrays.forEach((n, a) -> all.put(prefix + "/" + n, a)));
    return new NamedArrays(all);
  }

  /** The arrays whose names start with {@code prefix + "/"}, with that prefix removed. */
  public NamedArrays group(String prefix) {
    String p = prefix + "/";
    TreeMap<String, INDArray> sub = new TreeMap<>();
    arrays.subMap(p, p + Character.MAX_VALUE).forEach((n, a) -> sub.put(n.substring(p.length()), a));
    return new NamedArrays(sub);
  }

  /** Adds an array under a new name. */
  public void put(String name, INDArray array) {
    if (arrays.containsKey(name)) {
      throw new IllegalArgumentException("duplicate array name: " + name);
    }
    arrays.put(name, array);
  }

  public INDArray get(String name) {
    INDArray a = arrays.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no array named '" + name + "'; have " + arrays.keySet());
    }
    return a;
  }

  public boolean contains(String name) {
    return arrays.containsKey(name);
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(arrays.keySet());
  }

  public SortedMap<String, INDArray> asMap() {
    return Collections.unmodifiableSortedMap(arrays);
  }

  public int size() {
    return arrays.size();
  }

  /** Total number of scalars. */
  public long length() {
    return arrays.values().stream().mapToLong(INDArray::length).sum();
  }

  /** A deep copy. */
  public NamedArrays copy() {
    TreeMap<String, INDArray> copy = new TreeMap<>();
    arrays.forEach((n, a) -> copy.put(n, a.dup('c')));
    return new NamedArrays(copy);
  }

  /** Shapes by name: what an architecture fingerprint is computed from. */
  public SortedMap<String, long[]> shapes() {
    TreeMap<String, long[]> shapes = new TreeMap<>();
    arrays.forEach((n, a) -> shapes.put(n, a.shape()));
    return shapes;
  }

  /** Copies values from {@code source} into these arrays in place; names and shapes must match. */
  public void assign(NamedArrays source) {
    requireSameLayout(source.arrays.keySet(), source.shapes());
    arrays.forEach((n, a) -> a.assign(source.arrays.get(n)));
  }

  /** Copies each of these arrays' values from the same name in {@code source}, which may hold more. */
  public void assignFrom(NamedArrays source) {
    arrays.forEach(
        (n, a) -> {
          INDArray s = source.get(n);
          if (!Arrays.equals(a.shape(), s.shape())) {
            throw new IllegalArgumentException(
                n + ": shape " + Arrays.toString(a.shape()) + " vs given " + Arrays.toString(s.shape()));
          }
          a.assign(s);
        });
  }

  /** The arrays whose names satisfy {@code keep}, same references. */
  public NamedArrays filter(java.util.function.Predicate<String> keep) {
    TreeMap<String, INDArray> sub = new TreeMap<>();
    arrays.forEach((n, a) -> {
      if (keep.test(n)) {
        sub.put(n, a);
      }
    });
    return new NamedArrays(sub);
  }

  /** Every array as C-order floats, by name. */
  public SortedMap<String, float[]> toFloats() {
    TreeMap<String, float[]> out = new TreeMap<>();
    arrays.forEach((n, a) -> out.put(n, a.castTo(DataType.FLOAT).dup('c').data().asFloat()));
    return out;
  }

  /** Copies C-order floats into these arrays in place; names and lengths must match exactly. */
  public void assignFloats(Map<String, float[]> values) {
    if (!values.keySet().equals(arrays.keySet())) {
      throw new IllegalArgumentException(
          "names differ: have " + arrays.keySet() + ", given " + new TreeMap<>(values).keySet());
    }
    arrays.forEach(
        (n, a) -> {
          float[] v = values.get(n);
          if (v.length != a.length()) {
            throw new IllegalArgumentException(
                n + ": expected " + a.length() + " values for shape " + Arrays.toString(a.shape())
                    + ", given " + v.length);
          }
          a.assign(Nd4j.createFromArray(v).reshape(a.shape()).castTo(a.dataType()));
        });
  }

  /** All arrays concatenated in name order: the vector a parameter-averaging job sums. */
  public float[] flatten() {
    float[] flat = new float[Math.toIntExact(length())];
    int offset = 0;
    for (float[] v : toFloats().values()) {
      System.arraycopy(v, 0, flat, offset, v.length);
      offset += v.length;
    }
    return flat;
  }

  /** Inverse of {@link #flatten()}. */
  public void assignFlat(float[] flat) {
    if (flat.length != length()) {
      throw new IllegalArgumentException("expected " + length() + " values, given " + flat.length);
    }
    Map<String, float[]> parts = new LinkedHashMap<>();
    int offset = 0;
    for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
      int n = Math.toIntExact(e.getValue().length());
      parts.put(e.getKey(), Arrays.copyOfRange(flat, offset, offset + n));
      offset += n;
    }
    assignFloats(parts);
  }

  /** True when no array holds a NaN or an infinity. */
  public boolean allFinite() {
    for (INDArray a : arrays.values()) {
      if (a.isInfinite().any() || a.isNaN().any()) {
        return false;
      }
    }
    return true;
  }

  /** True when names, shapes and every value are identical (bit for bit, as floats). */
  public boolean sameValues(NamedArrays other) {
    if (!arrays.keySet().equals(other.arrays.keySet())) {
      return false;
    }
    SortedMap<String, float[]> a = toFloats();
    SortedMap<String, float[]> b = other.toFloats();
    for (String n : a.keySet()) {
      if (!Arrays.equals(a.get(n), b.get(n)) || !Arrays.equals(arrays.get(n).shape(), other.arrays.get(n).shape())) {
        return false;
      }
    }
    return true;
  }

  private void requireSameLayout(Set<String> names, SortedMap<String, long[]> shapes) {
    if (!names.equals(arrays.keySet())) {
      throw new IllegalArgumentException("names differ: have " + arrays.keySet() + ", given " + names);
    }
    arrays.forEach(
        (n, a) -> {
          if (!Arrays.equals(a.shape(), shapes.get(n))) {
            throw new IllegalArgumentException(
                n + ": shape " + Arrays.toString(a.shape()) + " vs given " + Arrays.toString(shapes.get(n)));
          }
        });
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("NamedArrays{");
    shapes().forEach((n, s) -> sb.append(n).append(Arrays.toString(s)).append(' '));
    return sb.append('}').toString();
  }
}
