package io.sparkgen.jobs.shard;

import io.sparkgen.model.provenance.Hashes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * SHA-256 over a shard's rows in order: for each row, (id length, label, height, width, channels)
 * as big-endian ints, then the id's UTF-8 bytes, then the pixels. Independent of Parquet's
 * encoding, so the shard job and every reader agree on it.
 */
public final class RowDigest {

  private final MessageDigest digest = Hashes.sha256();

  public void add(String id, int label, int height, int width, int channels, byte[] pixels) {
    byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
    digest.update(ByteBuffer.allocate(20).putInt(idBytes.length).putInt(label).putInt(height).putInt(width)
        .putInt(channels).array());
    digest.update(idBytes);
    digest.update(pixels);
  }

  public String hex() {
    return Hashes.hex(digest.digest());
  }
}
