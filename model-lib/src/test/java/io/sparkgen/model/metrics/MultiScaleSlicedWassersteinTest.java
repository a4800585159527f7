package io.sparkgen.model.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.random.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Levels, the pyramid's filters, invariances and bad input of the multi-scale SWD (reference values: ReferenceValuesTest). */
class MultiScaleSlicedWassersteinTest {

  private static final MultiScaleSlicedWasserstein.Settings SMALL = new MultiScaleSlicedWasserstein.Settings(32, 2, 32);

  @Test
  void levelsHalveDownToFourteenWhichIsProgansSixteenForPowersOfTwo() {
    assertArrayEquals(new int[] {28, 14}, MultiScaleSlicedWasserstein.resolutions(28));
    for (int size : new int[] {16, 32, 64, 128, 256, 1024}) {
      assertArrayEquals(MultiScaleSlicedWasserstein.resolutions(size, 16), MultiScaleSlicedWasserstein.resolutions(size),
          "size " + size);
    }
    assertArrayEquals(new int[] {128, 64, 32, 16}, MultiScaleSlicedWasserstein.resolutions(128));
    assertTrue(MultiScaleSlicedWasserstein.supports(28, 28) && MultiScaleSlicedWasserstein.supports(32, 24));
    assertFalse(MultiScaleSlicedWasserstein.supports(8, 8) || MultiScaleSlicedWasserstein.supports(62, 62));
  }

  @Test
  void theFiltersAreThoseOfCv2PyrDownAndPyrUp() {
    // A constant stays constant under pyrDown; pyrUp of a constant is the constant where the
    // mirrored edges keep the zero-stuffed pattern (everywhere but the last row and column).
    double[] ones = new double[8 * 8];
    java.util.Arrays.fill(ones, 3.0);
    for (double v : MultiScaleSlicedWasserstein.down(ones, 8, 8)) {
      assertEquals(3.0, v, 1e-15);
    }
    double[] up = MultiScaleSlicedWasserstein.up(new double[] {3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, 4, 4);
    for (int y = 0; y < 7; y++) {
      for (int x = 0; x < 7; x++) {
        assertEquals(3.0, up[y * 8 + x], 1e-15, "(" + y + ", " + x + ")");
      }
    }
    // An impulse in the middle of a 9x9 plane spreads as the outer product of [1, 4, 6, 4, 1] / 16.
    double[] impulse = new double[10 * 10];
    impulse[4 * 10 + 4] = 256;
    double[] down = MultiScaleSlicedWasserstein.down(impulse, 10, 10);
    assertEquals(36, down[2 * 5 + 2], 1e-12); // (4, 4) -> centre tap 6 * 6
    assertEquals(6, down[1 * 5 + 2], 1e-12); // (2, 4): taps 1 * 6
    assertEquals(1, down[1 * 5 + 1], 1e-12); // (2, 2): taps 1 * 1
    // The Laplacian levels and the low-pass level sum back to the image (up of the coarser level).
    INDArray image = new Rng(1L).gaussian(DataType.DOUBLE, 28 * 28);
    double[] plane = image.toDoubleVector();
    double[] band = MultiScaleSlicedWasserstein.laplacianLevel(plane, 28, 28, 0, 2);
    double[] low = MultiScaleSlicedWasserstein.laplacianLevel(plane, 28, 28, 1, 2);
    double[] back = MultiScaleSlicedWasserstein.up(low, 14, 14);
    for (int i = 0; i < plane.length; i++) {
      assertEquals(plane[i], band[i] + back[i], 1e-12);
    }
  }

  /** n images [n, 1, 28, 28] of white noise, or of noise averaged over 5x5 boxes (edges wrapped). */
  private static INDArray noise(long seed, int n, boolean blurred) {
    double[] v = new Rng(seed).gaussian(DataType.DOUBLE, n, 1, 28, 28).dup('c').data().asDouble();
    if (!blurred) {
      return Nd4j.create(v, new long[] {n, 1, 28, 28}, DataType.DOUBLE);
    }
    double[] out = new double[v.length];
    for (int i = 0; i < n; i++) {
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          double s = 0;
          for (int dy = -2; dy <= 2; dy++) {
            for (int dx = -2; dx <= 2; dx++) {
              s += v[i * 784 + Math.floorMod(y + dy, 28) * 28 + Math.floorMod(x + dx, 28)];
            }
          }
          out[i * 784 + y * 28 + x] = s / 25;
        }
      }
    }
    return Nd4j.create(out, new long[] {n, 1, 28, 28}, DataType.DOUBLE);
  }

  @Test
  void aSetAgainstItselfIsSamplingNoiseAndABlurredSetIsFarther() {
    INDArray a = noise(1L, 32, false);
    MultiScaleSlicedWasserstein.Settings settings = new MultiScaleSlicedWasserstein.Settings(128, 2, 64);
    MultiScaleSlicedWasserstein.Result same = MultiScaleSlicedWasserstein.of(a, noise(2L, 32, false), settings, 5L);
    MultiScaleSlicedWasserstein.Result blurred = MultiScaleSlicedWasserstein.of(a, noise(3L, 32, true), settings, 5L);
    assertArrayEquals(new int[] {28, 14}, same.resolutions());
    // The 14x14 level has only 8x8 patch centres per image, so its sampling floor is higher.
    assertTrue(blurred.perLevel()[0] > 2.5 * same.perLevel()[0], same + " vs " + blurred);
    assertTrue(blurred.perLevel()[1] > 1.5 * same.perLevel()[1], same + " vs " + blurred);
    assertEquals((same.perLevel()[0] + same.perLevel()[1]) / 2, same.average(), 1e-12);
    assertEquals(same, MultiScaleSlicedWasserstein.of(a, noise(2L, 32, false), settings, 5L), "the seed fixes everything");
  }

  @Test
  void identicalPatchesGiveZeroAndPixelScaleDoesNotMatter() {
    INDArray a = noise(4L, 8, false);
    int[][][] centres = new int[2][8 * 4][];
    Rng rng = new Rng(6L);
    for (int l = 0; l < 2; l++) {
      for (int j = 0; j < centres[l].length; j++) {
        int side = 28 >> l;
        centres[l][j] = new int[] {3 + rng.nextInt(side - 6), 3 + rng.nextInt(side - 6)};
      }
    }
    INDArray[][] directions = new INDArray[2][2];
    for (int l = 0; l < 2; l++) {
      for (int r = 0; r < 2; r++) {
        directions[l][r] = SlicedWasserstein.unitDirections(rng, 49, 16);
      }
    }
    MultiScaleSlicedWasserstein.Result zero =
        MultiScaleSlicedWasserstein.of(a, a.dup(), 14, 4, centres, centres, directions);
    assertEquals(0.0, zero.average(), 0.0);
    // 8-bit pixels p against p / 127.5 - 1 for one set only: each set is standardised on its own.
    INDArray pixels = a.mul(40).addi(128);
    MultiScaleSlicedWasserstein.Result raw =
        MultiScaleSlicedWasserstein.of(pixels, noise(5L, 8, true), 14, 4, centres, centres, directions);
    MultiScaleSlicedWasserstein.Result scaled = MultiScaleSlicedWasserstein.of(pixels.div(127.5).subi(1),
        noise(5L, 8, true), 14, 4, centres, centres, directions);
    assertEquals(raw.average(), scaled.average(), 1e-9 * raw.average());
  }

  @Test
  void badShapesAreNamed() {
    INDArray a = noise(1L, 2, false);
    IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
        () -> MultiScaleSlicedWasserstein.of(a, noise(1L, 3, false), SMALL, 1L));
    assertTrue(count.getMessage().contains("[2, 1, 28, 28] and [3, 1, 28, 28]"), count.getMessage());
    IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
        () -> MultiScaleSlicedWasserstein.of(Nd4j.zeros(DataType.FLOAT, 2, 1, 12, 12),
            Nd4j.zeros(DataType.FLOAT, 2, 1, 12, 12), SMALL, 1L));
    assertTrue(small.getMessage().contains("got 12x12 (2 images)"), small.getMessage());
    IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
        () -> MultiScaleSlicedWasserstein.of(Nd4j.zeros(DataType.FLOAT, 2, 1, 62, 62),
            Nd4j.zeros(DataType.FLOAT, 2, 1, 62, 62), SMALL, 1L)); // 62, 31, 15: 31 does not halve
    assertTrue(odd.getMessage().contains("halve evenly"), odd.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new MultiScaleSlicedWasserstein.Settings(0, 4, 128));
  }
}
