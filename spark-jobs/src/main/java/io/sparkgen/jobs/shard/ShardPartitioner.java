package io.sparkgen.jobs.shard;

import org.apache.spark.Partitioner;

/** Spark partitioner over image ids that sends each image to its {@link SplitAssigner} shard. */
final class ShardPartitioner extends Partitioner {
  private static final long serialVersionUID = 1L;
  private final SplitAssigner assigner;

  ShardPartitioner(SplitAssigner assigner) {
    this.assigner = assigner;
  }

  @Override
  public int numPartitions() {
    return assigner.partitions();
  }

  @Override
  public int getPartition(Object key) {
    return assigner.partition((String) key);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ShardPartitioner p && p.assigner.equals(assigner);
  }

  @Override
  public int hashCode() {
    return assigner.hashCode();
  }
}
