package io.sparkgen.jobs.shard;

import io.sparkgen.jobs.fs.HadoopFiles;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.provenance.Hashes;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The data a job reads: one shard set, or a version of a growing dataset — shard sets ("parts")
 * appended one per batch of new files, listed by {@code versions/v<6 digits>.json} under the
 * dataset's root:
 * <pre>
 *   root/parts/part-000001/          a shard set (sparkgen shard's output)
 *   root/versions/v000002.json       {"version": 2, "parts": ["parts/part-000001", "parts/part-000002"]}
 * </pre>
 * Parts are never rewritten, so a version stays readable after later appends. Shards of all parts
 * are numbered in part order, which fixes each worker's seed.
 */
public record DataVersion(String uri, int version, List<ShardSet> parts) {

  public static final String VERSIONS = "versions";

  /** A shard set directory, a dataset root (its newest version) or a version file. */
  public static DataVersion open(String uri, Configuration conf) throws IOException {
    Path path = new Path(uri);
    FileSystem fs = path.getFileSystem(conf);
    path = fs.makeQualified(path);
    if (fs.exists(new Path(path, ShardManifest.FILE_NAME))) {
      return new DataVersion(path.toString(), 0, List.of(ShardSet.open(path.toString(), conf)));
    }
    Path file = path.getName().endsWith(".json") ? path : newest(fs, path);
    Path root = file.getParent().getParent();
    Map<?, ?> json;
    try (InputStream in = fs.open(file)) {
      json = Configs.MAPPER.readValue(in.readAllBytes(), Map.class);
    } catch (FileNotFoundException e) {
      throw new FileNotFoundException("no dataset version " + file);
    }
    if (!(json.get("parts") instanceof List<?> names) || names.isEmpty() || !(json.get("version") instanceof Number v)) {
      throw new IOException(file + " is not a dataset version: it needs \"version\" and a non-empty \"parts\" list");
    }
    List<ShardSet> parts = new ArrayList<>();
    for (Object name : names) {
      parts.add(ShardSet.open(new Path(root, String.valueOf(name)).toString(), conf));
    }
    DataVersion data = new DataVersion(file.toString(), v.intValue(), parts);
    data.shape(); // parts must agree
    return data;
  }

  /**
   * Commits the next version of the dataset at {@code root}: the newest version's parts (none for a
   * new dataset) followed by {@code newPart} (a path relative to the root); returns its number.
   */
  public static int append(FileSystem fs, Path root, String newPart) throws IOException {
    root = fs.makeQualified(root);
    List<String> parts = new ArrayList<>();
    int version = 1;
    Path newest = null;
    try {
      newest = newest(fs, root);
    } catch (FileNotFoundException e) {
      // a new dataset: this is version 1
    }
    if (newest != null) {
      try (InputStream in = fs.open(newest)) {
        Map<?, ?> json = Configs.MAPPER.readValue(in.readAllBytes(), Map.class);
        ((List<?>) json.get("parts")).forEach(p -> parts.add(String.valueOf(p)));
        version = ((Number) json.get("version")).intValue() + 1;
      }
    }
    if (parts.contains(newPart)) {
      throw new IllegalArgumentException("dataset " + root + " already holds part " + newPart);
    }
    parts.add(newPart);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("version", version);
    json.put("parts", parts);
    HadoopFiles.write(fs, new Path(root, String.format("%s/v%06d.json", VERSIONS, version)),
        Configs.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
    return version;
  }

  private static Path newest(FileSystem fs, Path root) throws IOException {
    Path dir = new Path(root, VERSIONS);
    if (!fs.exists(dir)) {
      throw new FileNotFoundException("no shard set or dataset at " + root + ": neither " + ShardManifest.FILE_NAME
          + " nor " + VERSIONS + "/ is there (run `sparkgen shard` first)");
    }
    TreeSet<String> names = new TreeSet<>();
    for (FileStatus f : fs.listStatus(dir, p -> p.getName().matches("v\\d{6}\\.json"))) {
      names.add(f.getPath().getName());
    }
    if (names.isEmpty()) {
      throw new FileNotFoundException("dataset " + root + " has no version yet");
    }
    return new Path(dir, names.last());
  }

  /** The image shape all parts share. */
  public ShardManifest.Shape shape() {
    ShardManifest.Shape shape = parts.get(0).manifest().shape();
    for (ShardSet part : parts) {
      ShardManifest.Shape s = part.manifest().shape();
      if (s.height() != shape.height() || s.width() != shape.width() || s.channels() != shape.channels()) {
        throw new IllegalArgumentException("dataset " + uri + ": part " + part.directory() + " holds " + s.height() + "x"
            + s.width() + "x" + s.channels() + " images, part " + parts.get(0).directory() + " " + shape.height() + "x"
            + shape.width() + "x" + shape.channels());
      }
    }
    return shape;
  }

  /** The identity of the data: a shard set's own hash, or a hash over the parts' hashes in order. */
  public String sha256() {
    if (parts.size() == 1 && version == 0) {
      return parts.get(0).manifest().shardSetSha256();
    }
    return Hashes.canonicalHash(Map.of("parts", parts.stream().map(p -> p.manifest().shardSetSha256()).toList()));
  }

  /** Number of classes: the class names if any part names them, else the largest label + 1 (0: unlabelled). */
  public int classCount() {
    int classes = 0;
    for (ShardSet part : parts) {
      ShardManifest m = part.manifest();
      int c = !m.classNames().isEmpty() ? m.classNames().size()
          : m.train().labelHistogram().keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
      classes = Math.max(classes, c);
    }
    return classes;
  }

  public long count(boolean test) {
    return parts.stream().mapToLong(p -> (test ? p.manifest().test() : p.manifest().train()).count()).sum();
  }

  public int shardCount(boolean test) {
    return parts.stream().mapToInt(p -> shardCount(p, test)).sum();
  }

  private static int shardCount(ShardSet part, boolean test) {
    return (int) (test ? part.manifest().test() : part.manifest().train()).shards().stream()
        .filter(s -> s.file() != null).count();
  }

  /**
   * Every part's shards (those holding images), one partition per shard, numbered 0, 1, ... across
   * parts in part order and manifest order.
   */
  public JavaRDD<ShardImages> load(JavaSparkContext sc, boolean test) {
    JavaRDD<ShardImages> all = null;
    int next = 0;
    for (ShardSet part : parts) {
      Map<Integer, Integer> number = new TreeMap<>();
      for (ShardManifest.Shard shard : (test ? part.manifest().test() : part.manifest().train()).shards()) {
        if (shard.file() != null) {
          number.put(shard.index(), next++);
        }
      }
      JavaRDD<ShardImages> shards = part.load(sc, test).map(s -> s.withIndex(number.get(s.index())));
      all = all == null ? shards : all.union(shards);
    }
    return all;
  }

  /** The source files all parts were made from, by content hash (what a later append skips). */
  public Map<String, ShardManifest.SourceDigest> sourcesBySha256() {
    Map<String, ShardManifest.SourceDigest> out = new TreeMap<>();
    for (ShardSet part : parts) {
      for (ShardManifest.SourceDigest d : part.manifest().source().files()) {
        out.putIfAbsent(d.sha256(), d);
      }
    }
    return out;
  }
}
