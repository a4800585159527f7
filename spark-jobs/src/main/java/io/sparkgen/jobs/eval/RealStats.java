package io.sparkgen.jobs.eval;

import io.sparkgen.jobs.fs.HadoopFiles;
import io.sparkgen.jobs.shard.DataVersion;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.metrics.FeatureMoments;
import io.sparkgen.model.provenance.Hashes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Features and float64 moments of the first N real images of a split, and their cache. The cache
 * file's name is the hash of everything the numbers depend on — data manifest hash, extractor
 * hash, extractor protocol, split and N — and the file repeats those fields, which are checked on
 * reading, so a stale entry cannot be used: changed data or weights simply miss.
 *
 * @param identity what the statistics are of (the key's fields)
 * @param features [N, d] float32, rows in shard order
 * @param moments their moments, merged on the executors when first computed
 */
public record RealStats(Map<String, Object> identity, INDArray features, FeatureMoments moments) {

  private static final Logger LOG = LoggerFactory.getLogger(RealStats.class);

  /** The cache key's fields. */
  public static Map<String, Object> identity(DataVersion data, Extractor extractor, boolean test, long n) {
    Map<String, Object> id = new TreeMap<>();
    id.put("dataManifestHash", data.sha256());
    id.put("extractorHash", extractor.hash());
    id.put("extractor", extractor.id());
    id.put("protocol", extractor.protocol());
    id.put("split", test ? "test" : "train");
    id.put("count", n);
    return id;
  }

  public static Path file(Path cacheDir, Map<String, Object> identity) {
    return new Path(cacheDir, "real-" + Hashes.canonicalHash(identity).substring(0, 32) + ".zip");
  }

  /** From the cache, or computed on the executors and then cached (written atomically). */
  public static RealStats getOrCompute(JavaSparkContext sc, DataVersion data, Extractor extractor, boolean test, long n,
      Path cacheDir, int batchSize, int partitions) throws IOException {
    Map<String, Object> identity = identity(data, extractor, test, n);
    Path file = file(cacheDir, identity);
    FileSystem fs = file.getFileSystem(sc.hadoopConfiguration());
    if (fs.exists(file)) {
      try (InputStream in = fs.open(file)) {
        RealStats cached = read(in.readAllBytes(), file.toString());
        if (Hashes.canonicalJson(cached.identity()).equals(Hashes.canonicalJson(identity))) {
          LOG.info("evaluate: real statistics from cache {}", file);
          return cached;
        }
        throw new IllegalStateException(file + " holds statistics of " + cached.identity() + ", not " + identity
            + "; delete it");
      }
    }
    sc.setJobDescription("evaluate: features of " + n + " real images (" + identity.get("split") + ")");
    JavaRDD<FeatureBlock> blocks = extractor.features(RealImages.firstN(sc, data, test, n, batchSize, partitions),
        batchSize).cache();
    FeatureMoments moments = Extractor.moments(blocks, extractor.dimension());
    List<FeatureBlock> collected = blocks.collect();
    blocks.unpersist();
    RealStats stats = new RealStats(identity, Extractor.matrix(collected), moments);
    HadoopFiles.write(fs, file, stats.toBytes());
    LOG.info("evaluate: real statistics cached in {}", file);
    return stats;
  }

  public byte[] toBytes() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("identity", identity);
      meta.put("count", moments.count());
      put(zip, "stats.json", Configs.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
      put(zip, "features.npy", Nd4j.toNpyByteArray(features));
      put(zip, "mean.npy", Nd4j.toNpyByteArray(Nd4j.createFromArray(moments.mean())));
      put(zip, "comoment.npy", Nd4j.toNpyByteArray(Nd4j.createFromArray(moments.comoment())));
    }
    return bytes.toByteArray();
  }

  private static void put(ZipOutputStream zip, String name, byte[] b) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(b);
    zip.closeEntry();
  }

  /** Reads {@link #toBytes}; a missing part or inconsistent shapes are errors naming the file. */
  public static RealStats read(byte[] bytes, String name) {
    Map<String, byte[]> parts = new TreeMap<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        parts.put(e.getName(), zip.readAllBytes());
      }
      for (String part : List.of("stats.json", "features.npy", "mean.npy", "comoment.npy")) {
        if (!parts.containsKey(part)) {
          throw new IllegalArgumentException(name + ": not a sparkgen statistics file (no " + part + ")");
        }
      }
      var meta = Configs.MAPPER.readTree(parts.get("stats.json"));
      Map<String, Object> identity = Configs.MAPPER.convertValue(meta.get("identity"),
          new com.fasterxml.jackson.core.type.TypeReference<TreeMap<String, Object>>() {});
      INDArray features = Nd4j.createNpyFromByteArray(parts.get("features.npy")).castTo(DataType.FLOAT);
      double[] mean = Nd4j.createNpyFromByteArray(parts.get("mean.npy")).castTo(DataType.DOUBLE).data().asDouble();
      double[] comoment = Nd4j.createNpyFromByteArray(parts.get("comoment.npy")).castTo(DataType.DOUBLE).data().asDouble();
      long count = meta.path("count").asLong();
      if (features.rank() != 2 || features.size(0) != count || features.size(1) != mean.length) {
        throw new IllegalArgumentException(name + ": features " + java.util.Arrays.toString(features.shape())
            + " do not match " + count + " moments of dimension " + mean.length);
      }
      return new RealStats(identity, features, FeatureMoments.restore(count, mean, comoment));
    } catch (IOException e) {
      throw new IllegalArgumentException(name + ": unreadable statistics file: " + e.getMessage(), e);
    }
  }
}
