package io.sparkgen.jobs.shard;

import io.sparkgen.jobs.fs.SerializableHadoopConf;
import io.sparkgen.jobs.image.ImagePipeline;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/** One input format: which files it reads, and how they become decoded images on the executors. */
public interface CollectionReader extends Serializable {

  /** Whether a file (name relative to its input path) belongs to this format. */
  boolean accepts(String name);

  /**
   * Decodes the collection. Ids must be stable (the same file and position give the same id
   * whatever else is in the collection), because the split hashes them.
   */
  JavaRDD<Decoded> read(SparkSession spark, InputListing listing, ImagePipeline pipeline, Broadcast<SerializableHadoopConf> conf);

  /** Class names known from the files themselves (folder names, CIFAR's meta file); empty if none. */
  default List<String> classNames(InputListing listing, org.apache.hadoop.conf.Configuration conf) throws java.io.IOException {
    return List.of();
  }

  static CollectionReader of(ShardConfig.Input input) {
    return switch (input.format()) {
      case IDX -> new IdxReader();
      case IMAGE_FOLDER -> new ImageFolderReader();
      case CIFAR10 -> new Cifar10Reader();
      case PARQUET -> new ParquetImageReader(input.parquet());
    };
  }
}
