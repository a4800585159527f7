package io.sparkgen.jobs.sample;

import io.sparkgen.jobs.image.RawImage;
import java.io.Serializable;
import java.util.List;

/**
 * Generated images {@code first .. first + images.size() - 1} as 8-bit images (quantised exactly as
 * they would be saved as PNG), with their class labels (null for an unconditional model).
 */
public record ImageBlock(long first, List<RawImage> images, int[] labels) implements Serializable {

  public ImageBlock {
    images = List.copyOf(images);
    if (labels != null && labels.length != images.size()) {
      throw new IllegalArgumentException(labels.length + " labels for " + images.size() + " images");
    }
  }
}
