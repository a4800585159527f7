package io.sparkgen.model.train;

import io.sparkgen.model.Batch;
import io.sparkgen.model.provenance.Hashes;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Images held in memory, [N, C, H, W] in [-1, 1], with optional labels and the hash of the data
 * manifest they came from (recorded in every checkpoint's provenance).
 */
public record ImageDataset(INDArray images, int[] labels, String manifestHash) {

  public ImageDataset {
    Objects.requireNonNull(manifestHash, "manifestHash");
    new Batch(images, labels); // validates shapes
    images = images.dup('c');
  }

  /** A dataset whose manifest hash is the SHA-256 of its values and labels. */
  public static ImageDataset of(INDArray images, int[] labels) {
    MessageDigest digest = Hashes.sha256();
    for (float v : images.castTo(DataType.FLOAT).dup('c').data().asFloat()) {
      digest.update(ByteBuffer.allocate(4).putFloat(v).array());
    }
    for (long d : images.shape()) {
      digest.update(ByteBuffer.allocate(8).putLong(d).array());
    }
    if (labels != null) {
      for (int l : labels) {
        digest.update(ByteBuffer.allocate(4).putInt(l).array());
      }
    }
    return new ImageDataset(images, labels, Hashes.hex(digest.digest()));
  }

  public int size() {
    return (int) images.size(0);
  }

  /** The images at {@code indices}, in that order. */
  public Batch gather(int[] indices) {
    long[] shape = images.shape();
    INDArray flat = images.reshape('c', shape[0], images.length() / shape[0]);
    INDArray rows = Nd4j.pullRows(flat, 1, indices);
    int[] l = null;
    if (labels != null) {
      l = new int[indices.length];
      for (int i = 0; i < indices.length; i++) {
        l[i] = labels[indices[i]];
      }
    }
    return new Batch(rows.reshape('c', indices.length, shape[1], shape[2], shape[3]), l);
  }
}
