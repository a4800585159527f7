package io.sparkgen.jobs.image;

import java.io.Serializable;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Images {@code first .. first + images.size() - 1} of a source (generated from a checkpoint, or
 * real from shards or files) as 8-bit images — generated ones quantised exactly as they would be
 * saved as PNG — with their class labels (null when there are none).
 */
public record ImageBlock(long first, List<RawImage> images, int[] labels) implements Serializable {

  public ImageBlock {
    images = List.copyOf(images);
    if (labels != null && labels.length != images.size()) {
      throw new IllegalArgumentException(labels.length + " labels for " + images.size() + " images");
    }
  }

  public int size() {
    return images.size();
  }

  /** The images as models read them: [N, C, H, W] floats x = p / 127.5 - 1 in [-1, 1]. */
  public INDArray toModelInput() {
    RawImage first = images.get(0);
    int size = first.height() * first.width() * first.channels();
    byte[] hwc = new byte[images.size() * size];
    for (int i = 0; i < images.size(); i++) {
      RawImage image = images.get(i);
      if (!image.shape().equals(first.shape())) {
        throw new IllegalArgumentException("image " + (this.first + i) + " is " + image.shape() + ", image "
            + this.first + " is " + first.shape() + "; a set of images must have one shape");
      }
      System.arraycopy(image.pixels(), 0, hwc, i * size, size);
    }
    return toModelInput(hwc, images.size(), first.height(), first.width(), first.channels());
  }

  /** 8-bit HWC pixels of n images, concatenated, as [N, C, H, W] floats p / 127.5 - 1. */
  public static INDArray toModelInput(byte[] hwc, int n, int height, int width, int channels) {
    int plane = height * width;
    float[] nchw = new float[n * channels * plane];
    for (int i = 0; i < n; i++) {
      int base = i * channels * plane;
      for (int p = 0; p < plane; p++) {
        for (int c = 0; c < channels; c++) {
          nchw[base + c * plane + p] = (hwc[base + p * channels + c] & 0xff) / 127.5f - 1f;
        }
      }
    }
    return Nd4j.create(nchw, new long[] {n, channels, height, width}, 'c');
  }
}
