package io.sparkgen.model;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A minibatch as every objective receives it: images [N, C, H, W] scaled to [-1, 1], and class
 * labels in [0, classes) or null for unconditional models.
 */
public record Batch(INDArray images, int[] labels) {

  public Batch {
    Objects.requireNonNull(images, "images");
    if (images.rank() != 4) {
      throw new IllegalArgumentException("images must be [N, C, H, W], got " + Arrays.toString(images.shape()));
    }
    if (labels != null && labels.length != images.size(0)) {
      throw new IllegalArgumentException(labels.length + " labels for " + images.size(0) + " images");
    }
  }

  public int size() {
    return (int) images.size(0);
  }

  /** One-hot labels [N, classes] in the images' data type. */
  public INDArray oneHot(int classes) {
    return oneHot(labels, classes, images.dataType());
  }

  public static INDArray oneHot(int[] labels, int classes, org.nd4j.linalg.api.buffer.DataType type) {
    if (labels == null) {
      throw new IllegalArgumentException("this model is class-conditional: labels are required");
    }
    INDArray y = Nd4j.zeros(type, labels.length, classes);
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new IllegalArgumentException("label " + labels[i] + " at " + i + " outside [0, " + classes + ")");
      }
      y.putScalar(i, labels[i], 1.0);
    }
    return y;
  }
}
