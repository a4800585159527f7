package io.sparkgen.jobs.shard;

/** The image collections {@code sparkgen shard} reads. */
public enum InputFormat {
  IDX,
  IMAGE_FOLDER,
  CIFAR10,
  PARQUET
}
