package io.sparkgen.jobs.image;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sample grids a person looks at (per checkpoint, in reports), and the one conversion from a model's
 * output to stored pixels: x in [-1, 1] becomes round((x + 1) * 127.5), clamped to 0..255.
 */
public final class ImageGrid {

  private ImageGrid() {}

  /** Images [N, C, H, W] in [-1, 1] as 8-bit HWC images. */
  public static List<RawImage> fromModelOutput(INDArray images) {
    if (images.rank() != 4) {
      throw new IllegalArgumentException("images must be [N, C, H, W], got " + Arrays.toString(images.shape()));
    }
    int n = (int) images.size(0);
    int c = (int) images.size(1);
    int h = (int) images.size(2);
    int w = (int) images.size(3);
    float[] values = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
    List<RawImage> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] pixels = new byte[h * w * c];
      for (int ch = 0; ch < c; ch++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            float v = values[((i * c + ch) * h + y) * w + x];
            long q = Float.isNaN(v) ? 0 : Math.round((v + 1.0) * 127.5);
            pixels[(y * w + x) * c + ch] = (byte) Math.max(0, Math.min(255, q));
          }
        }
      }
      out.add(new RawImage(h, w, c, pixels));
    }
    return out;
  }

  /**
   * Tiles images of one shape row by row into {@code columns} columns, with {@code padding} pixels
   * of {@code background} between and around them.
   */
  public static RawImage tile(List<RawImage> images, int columns, int padding, int background) {
    if (images.isEmpty()) {
      throw new IllegalArgumentException("no images to tile");
    }
    if (columns <= 0 || padding < 0 || background < 0 || background > 255) {
      throw new IllegalArgumentException("columns must be > 0, padding >= 0, background in 0..255; got "
          + columns + ", " + padding + ", " + background);
    }
    RawImage first = images.get(0);
    int h = first.height();
    int w = first.width();
    int c = first.channels();
    int cols = Math.min(columns, images.size());
    int rows = (images.size() + cols - 1) / cols;
    int gridH = rows * h + (rows + 1) * padding;
    int gridW = cols * w + (cols + 1) * padding;
    byte[] grid = new byte[gridH * gridW * c];
    Arrays.fill(grid, (byte) background);
    for (int k = 0; k < images.size(); k++) {
      RawImage image = images.get(k);
      if (!image.shape().equals(first.shape())) {
        throw new IllegalArgumentException("image " + k + " is " + image.shape() + ", the first is " + first.shape());
      }
      int top = padding + (k / cols) * (h + padding);
      int left = padding + (k % cols) * (w + padding);
      for (int y = 0; y < h; y++) {
        System.arraycopy(image.pixels(), y * w * c, grid, ((top + y) * gridW + left) * c, w * c);
      }
    }
    return new RawImage(gridH, gridW, c, grid);
  }
}
