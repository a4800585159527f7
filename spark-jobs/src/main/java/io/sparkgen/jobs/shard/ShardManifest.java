package io.sparkgen.jobs.shard;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparkgen.model.provenance.Provenance;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a shard set: what was read, what was written, and how to trust it.
 * {@code shardSetSha256} hashes the shards' row content and is the "data manifest hash" that later
 * artifacts record in their provenance.
 */
public record ShardManifest(
    int formatVersion,
    String runId,
    String createdAt,
    double elapsedSeconds,
    Provenance provenance,
    String shardSetSha256,
    Source source,
    Shape shape,
    List<String> classNames,
    Split train,
    Split test,
    BadInput badInput,
    Map<String, Object> config) {

  public static final int FORMAT_VERSION = 1;
  public static final String FILE_NAME = "manifest.json";

  static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException("cannot render manifest", e);
    }
  }

  public static ShardManifest read(InputStream in) throws IOException {
    return JSON.readValue(in, ShardManifest.class);
  }

  public long images() {
    return train.count() + test.count();
  }

  /** The input files and their combined SHA-256 (over sorted "name\tbytes\tsha256" lines). */
  public record Source(
      String format, List<String> paths, long fileCount, long totalBytes, String sha256, List<SourceDigest> files,
      long ignoredFiles, List<String> ignoredExamples) {}

  /** One input file. */
  public record SourceDigest(String name, String uri, long bytes, String sha256) implements java.io.Serializable {}

  /** The stored geometry: uint8, height x width x channels, HWC order. */
  public record Shape(int height, int width, int channels, String dtype, String layout) implements java.io.Serializable {}

  /** One split: its shards and statistics. Mean and std are per channel, on pixel values scaled to [0, 1]. */
  public record Split(long count, List<Shard> shards, Map<Integer, Long> labelHistogram, double[] channelMean,
      double[] channelStd) {}

  /** One Parquet shard; {@code file} is relative to the shard set directory; {@code sha256} hashes its rows. */
  public record Shard(int index, String file, long count, long bytes, String sha256) implements java.io.Serializable {}

  /** Bad inputs: the policy, how many were skipped, by reason category, and the first ones by path. */
  public record BadInput(String policy, long skipped, Map<String, Long> byReason, List<Example> examples) {}

  /** A bad input by path and reason. */
  public record Example(String where, String reason) {}
}
