package io.sparkgen.jobs.shard;

import io.sparkgen.jobs.fs.SerializableHadoopConf;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A committed shard set, opened for reading: the manifest is read and every shard it lists must be
 * there with its recorded size. This is what makes a copy-based commit (s3a) safe to read, and what
 * every job that consumes shards calls first.
 */
public record ShardSet(Path directory, ShardManifest manifest) {

  public static ShardSet open(String uri, Configuration conf) throws IOException {
    Path dir = new Path(uri);
    FileSystem fs = dir.getFileSystem(conf);
    dir = fs.makeQualified(dir);
    Path manifestPath = new Path(dir, ShardManifest.FILE_NAME);
    if (!fs.exists(manifestPath)) {
      throw new FileNotFoundException("no shard set at " + dir + ": " + ShardManifest.FILE_NAME
          + " is missing (run `sparkgen shard` first; an interrupted run leaves no manifest)");
    }
    ShardManifest manifest;
    try (InputStream in = fs.open(manifestPath)) {
      manifest = ShardManifest.read(in);
    }
    if (manifest.formatVersion() != ShardManifest.FORMAT_VERSION) {
      throw new IOException(manifestPath + " has format version " + manifest.formatVersion() + "; this sparkgen reads "
          + ShardManifest.FORMAT_VERSION);
    }
    for (ShardManifest.Split split : List.of(manifest.train(), manifest.test())) {
      for (ShardManifest.Shard shard : split.shards()) {
        if (shard.file() == null) {
          continue;
        }
        Path file = new Path(dir, shard.file());
        FileStatus status;
        try {
          status = fs.getFileStatus(file);
        } catch (FileNotFoundException e) {
          throw new IOException("incomplete shard set " + dir + ": " + shard.file() + " listed in the manifest is missing");
        }
        if (status.getLen() != shard.bytes()) {
          throw new IOException("incomplete shard set " + dir + ": " + shard.file() + " has " + status.getLen()
              + " bytes, the manifest says " + shard.bytes());
        }
      }
    }
    return new ShardSet(dir, manifest);
  }

  /**
   * The train (or test) split as an RDD with one partition per shard, partition i holding shard i,
   * each checked against the manifest as it is read. Cache it: training reads it every round.
   */
  public JavaRDD<ShardImages> load(JavaSparkContext sc, boolean test) {
    ShardManifest.Split split = test ? manifest.test() : manifest.train();
    List<ShardManifest.Shard> shards = split.shards().stream().filter(s -> s.file() != null).toList();
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("shard set " + directory + " has no " + (test ? "test" : "train") + " shards");
    }
    Broadcast<SerializableHadoopConf> conf = sc.broadcast(new SerializableHadoopConf(sc.hadoopConfiguration()));
    String dir = directory.toString();
    ShardManifest.Shape shape = manifest.shape();
    return sc.parallelize(shards, shards.size()).map(shard -> ShardImages.read(shard.index(),
        new Path(dir, shard.file()).toString(), shape, shard.sha256(), conf.value().get()));
  }

  /** Paths of the train (or test) shard files, in shard order. */
  public List<String> files(boolean test) {
    List<String> files = new ArrayList<>();
    for (ShardManifest.Shard shard : (test ? manifest.test() : manifest.train()).shards()) {
      if (shard.file() != null) {
        files.add(new Path(directory, shard.file()).toString());
      }
    }
    return files;
  }
}
