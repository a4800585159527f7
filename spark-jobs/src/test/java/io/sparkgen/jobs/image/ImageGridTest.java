package io.sparkgen.jobs.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class ImageGridTest {

  @Test
  void modelOutputIsQuantisedFromMinusOneToOne() {
    // [1, 2, 1, 3]: channel 0 then channel 1, each a row of three.
    float[] values = {-1f, 0f, 1f, 1.5f, -0.999f, Float.NaN};
    List<RawImage> images = ImageGrid.fromModelOutput(Nd4j.create(values, new long[] {1, 2, 1, 3}, 'c'));
    RawImage image = images.get(0);
    assertEquals("1x3x2", image.shape());
    // HWC: (c0, c1) per pixel; 0 -> 127.5 rounds to 128; 1.5 clamps to 255; NaN -> 0.
    assertArrayEquals(new byte[] {0, (byte) 255, (byte) 128, 0, (byte) 255, 0}, image.pixels());
  }

  @Test
  void tilesRowByRowWithPadding() {
    RawImage a = new RawImage(1, 2, 1, new byte[] {1, 2});
    RawImage b = new RawImage(1, 2, 1, new byte[] {3, 4});
    RawImage c = new RawImage(1, 2, 1, new byte[] {5, 6});
    RawImage grid = ImageGrid.tile(List.of(a, b, c), 2, 1, 9);
    assertEquals("5x7x1", grid.shape());
    byte[] expected = {
        9, 9, 9, 9, 9, 9, 9,
        9, 1, 2, 9, 3, 4, 9,
        9, 9, 9, 9, 9, 9, 9,
        9, 5, 6, 9, 9, 9, 9,
        9, 9, 9, 9, 9, 9, 9};
    assertArrayEquals(expected, grid.pixels());
    assertThrows(IllegalArgumentException.class,
        () -> ImageGrid.tile(List.of(a, new RawImage(2, 2, 1, new byte[4])), 2, 0, 0));
  }
}
