package io.sparkgen.jobs.shard;

import io.sparkgen.model.provenance.Hashes;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Puts an image in train or test, and in a shard, by hashing its id: u = first 53 bits of
 * SHA-256(salt, id) as a number in [0, 1) decides the split (test when u < testFraction); the next
 * 64 bits pick the shard. Depends on nothing but the id, so appending data never moves an image.
 */
public record SplitAssigner(double testFraction, String salt, int trainShards, int testShards) implements Serializable {

  /** Partition index: train shards first, then test shards. */
  public int partition(String id) {
    MessageDigest digest = Hashes.sha256();
    digest.update(salt.getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    ByteBuffer hash = ByteBuffer.wrap(digest.digest(id.getBytes(StandardCharsets.UTF_8)));
    double u = (hash.getLong() >>> 11) * 0x1.0p-53;
    long pick = hash.getLong();
    if (u < testFraction) {
      return trainShards + (int) Long.remainderUnsigned(pick, testShards);
    }
    return (int) Long.remainderUnsigned(pick, trainShards);
  }

  public boolean isTest(int partition) {
    return partition >= trainShards;
  }

  public int partitions() {
    return trainShards + testShards;
  }
}
