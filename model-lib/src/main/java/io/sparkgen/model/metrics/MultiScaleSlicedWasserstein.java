package io.sparkgen.model.metrics;

import io.sparkgen.model.random.Rng;
import io.sparkgen.model.random.Seeds;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ProGAN's multi-scale sliced Wasserstein distance on images (Karras et al. 2018, section 5 and
 * metrics/sliced_wasserstein.py): a Laplacian pyramid of each image (5-tap [1, 4, 6, 4, 1] / 16
 * filter, mirrored edges, as cv2.pyrDown/pyrUp), {@value #PATCH}x{@value #PATCH} patches at random
 * centres of each level, each set's descriptors standardised per channel by their own mean and
 * standard deviation, the sliced Wasserstein distance per level times 1e3, and the mean over levels.
 *
 * <p>Images are [N, C, H, W] of any one scale: uint8 values 0..255 as ProGAN feeds them, or
 * p / 127.5 - 1 as models read them, give the same value up to rounding, since the pyramid is
 * linear and each set is standardised. ProGAN quantises its generated images to uint8 first; so
 * does sparkgen (an {@code ImageBlock} holds 8-bit pixels).
 *
 * <p>Levels: ProGAN keeps halving while the resolution is at least 16; here while it is at least
 * {@value #MIN_RESOLUTION} (twice the patch), which is the same for every power of two and keeps
 * levels 28 and 14 for 28x28 images (ProGAN's rule would leave only the raw 28x28 image). The
 * coarsest level is the low-pass image, the others Laplacian (band-pass) levels.
 *
 * <p>Differences from ProGAN's code, none changing the estimator: float64 throughout (ProGAN: float32
 * pyramid, descriptors and projections, about 1e-6 relative apart); any channel count (ProGAN: 3);
 * patch centres and directions from sparkgen's seeded generator (ProGAN: numpy's global one), the
 * centres of image i from (seed, set, level, i) alone; a channel whose descriptors are constant is
 * centred but not scaled (ProGAN divides by zero). Descriptor components keep ProGAN's order
 * (channel, then column offset, then row offset), so the same directions give the same value.
 *
 * <p>Memory: one level's descriptors of both sets at a time, 2 N P C 49 doubles (1 GB for
 * 10 000 grey images and P = 128 patches each).
 */
public final class MultiScaleSlicedWasserstein {

  /** Side of a patch (ProGAN's nhood_size). */
  public static final int PATCH = 7;
  /** The coarsest level kept: see the class note. */
  public static final int MIN_RESOLUTION = 14;

  private static final long STREAM = Seeds.fnv1a64("swd-multiscale");
  private static final double[] TAPS = {1 / 16.0, 4 / 16.0, 6 / 16.0, 4 / 16.0, 1 / 16.0};

  private MultiScaleSlicedWasserstein() {}

  /**
   * @param patchesPerImage patches per image per level (ProGAN: 128)
   * @param repeats direction sets (ProGAN: 4)
   * @param directionsPerRepeat directions per set (ProGAN: 128)
   */
  public record Settings(int patchesPerImage, int repeats, int directionsPerRepeat) {
    public Settings {
      if (patchesPerImage < 1 || repeats < 1 || directionsPerRepeat < 1) {
        throw new IllegalArgumentException("patches per image, repeats and directions must be > 0, got "
            + patchesPerImage + ", " + repeats + ", " + directionsPerRepeat);
      }
    }

    public static Settings progan() {
      return new Settings(128, 4, 128);
    }
  }

  /**
   * @param resolutions the height of each level, finest first
   * @param perLevel sliced Wasserstein distance x 1e3 of each level
   * @param average their mean (ProGAN's SWDx1e3_avg)
   */
  public record Result(int[] resolutions, double[] perLevel, double average) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Result r && Arrays.equals(resolutions, r.resolutions) && Arrays.equals(perLevel, r.perLevel)
          && Double.compare(average, r.average) == 0;
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(resolutions) + Arrays.hashCode(perLevel);
    }

    @Override
    public String toString() {
      return "Result[resolutions=" + Arrays.toString(resolutions) + ", perLevel=" + Arrays.toString(perLevel)
          + ", average=" + average + "]";
    }
  }

  /** The heights of the levels of an image of height {@code height}, finest first. */
  public static int[] resolutions(int height) {
    return resolutions(height, MIN_RESOLUTION);
  }

  static int[] resolutions(int height, int minResolution) {
    int levels = 0;
    for (int res = height; res >= minResolution; res /= 2) {
      levels++;
    }
    int[] out = new int[levels];
    for (int l = 0, res = height; l < levels; l++, res /= 2) {
      out[l] = res;
    }
    return out;
  }

  /** Whether images of this size have at least one level and sides that halve evenly down to the coarsest. */
  public static boolean supports(int height, int width) {
    return unsupported(height, width, MIN_RESOLUTION) == null;
  }

  /** Why images of this size cannot be used, or null. */
  private static String unsupported(int height, int width, int minResolution) {
    int levels = resolutions(height, minResolution).length;
    int scale = 1 << Math.max(0, levels - 1);
    if (levels == 0 || height % scale != 0 || width % scale != 0 || width / scale < PATCH) {
      return "multi-scale SWD needs images of at least " + minResolution + " rows whose sides halve evenly down to "
          + "the coarsest level (>= " + minResolution + " rows, >= " + PATCH + " columns), got " + height + "x" + width;
    }
    return null;
  }

  /** Between two image sets of one shape and count; the same seed gives the same patches and directions. */
  public static Result of(INDArray real, INDArray fake, Settings settings, long seed) {
    int levels = checkShapes(real, fake, MIN_RESOLUTION);
    int n = (int) real.size(0);
    int channels = (int) real.size(1);
    int height = (int) real.size(2);
    int width = (int) real.size(3);
    int p = settings.patchesPerImage();
    int[][][] positionsReal = new int[levels][][];
    int[][][] positionsFake = new int[levels][][];
    INDArray[][] directions = new INDArray[levels][];
    for (int l = 0; l < levels; l++) {
      positionsReal[l] = positions(seed, 0, l, n, p, height >> l, width >> l);
      positionsFake[l] = positions(seed, 1, l, n, p, height >> l, width >> l);
      Rng rng = new Rng(Seeds.derive(seed, STREAM, 2, l));
      directions[l] = new INDArray[settings.repeats()];
      for (int r = 0; r < settings.repeats(); r++) {
        directions[l][r] = SlicedWasserstein.unitDirections(rng, channels * PATCH * PATCH,
            settings.directionsPerRepeat());
      }
    }
    return of(real, fake, MIN_RESOLUTION, p, positionsReal, positionsFake, directions);
  }

  /** Centres (row, column) of the patches of n images at one level, image i's from (seed, set, level, i) alone. */
  private static int[][] positions(long seed, int set, int level, int n, int patches, int height, int width) {
    int half = PATCH / 2;
    int[][] out = new int[n * patches][];
    for (int i = 0; i < n; i++) {
      Rng rng = new Rng(Seeds.derive(seed, STREAM, set, level, i));
      for (int j = 0; j < patches; j++) {
        int y = half + rng.nextInt(height - 2 * half);
        int x = half + rng.nextInt(width - 2 * half);
        out[i * patches + j] = new int[] {y, x};
      }
    }
    return out;
  }

  /**
   * With the patch centres ([level][image * patches + j] = {row, column}) and directions
   * ([level][repeat], [C * 49, k]) given: the entry the reference test feeds ProGAN's draws through.
   */
  static Result of(INDArray real, INDArray fake, int minResolution, int patchesPerImage, int[][][] positionsReal,
      int[][][] positionsFake, INDArray[][] directions) {
    int levels = checkShapes(real, fake, minResolution);
    if (positionsReal.length != levels || positionsFake.length != levels || directions.length != levels) {
      throw new IllegalArgumentException(levels + " levels need centres and directions for each, got "
          + positionsReal.length + ", " + positionsFake.length + " and " + directions.length);
    }
    double[] perLevel = new double[levels];
    double sum = 0;
    for (int l = 0; l < levels; l++) {
      INDArray a = descriptors(real, l, levels, patchesPerImage, positionsReal[l]);
      INDArray b = descriptors(fake, l, levels, patchesPerImage, positionsFake[l]);
      perLevel[l] = SlicedWasserstein.of(a, b, directions[l]) * 1e3;
      sum += perLevel[l];
    }
    return new Result(resolutions((int) real.size(2), minResolution), perLevel, sum / levels);
  }

  /** Checks the shapes and returns the number of levels. */
  private static int checkShapes(INDArray real, INDArray fake, int minResolution) {
    if (real.rank() != 4 || !Arrays.equals(real.shape(), fake.shape())) {
      throw new IllegalArgumentException("image sets must be [N, C, H, W] of one shape and count, got "
          + Arrays.toString(real.shape()) + " and " + Arrays.toString(fake.shape()));
    }
    String problem = unsupported((int) real.size(2), (int) real.size(3), minResolution);
    if (problem != null || real.size(0) < 1) {
      throw new IllegalArgumentException(problem != null ? problem + " (" + real.size(0) + " images)"
          : "multi-scale SWD needs at least one image per set");
    }
    int levels = resolutions((int) real.size(2), minResolution).length;
    return levels;
  }

  /**
   * The standardised descriptors of one level: [N * patches, C * 49], components in ProGAN's order
   * (channel, column offset, row offset).
   */
  static INDArray descriptors(INDArray images, int level, int levels, int patchesPerImage, int[][] centres) {
    int n = (int) images.size(0);
    int channels = (int) images.size(1);
    int height = (int) images.size(2);
    int width = (int) images.size(3);
    if (centres.length != n * patchesPerImage) {
      throw new IllegalArgumentException(n + " images x " + patchesPerImage + " patches need as many centres, got "
          + centres.length);
    }
    int h = height >> level;
    int w = width >> level;
    int half = PATCH / 2;
    int area = PATCH * PATCH;
    int components = channels * area;
    double[] desc = new double[n * patchesPerImage * components];
    double[] source = images.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    int plane = height * width;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < channels; c++) {
        double[] band = laplacianLevel(Arrays.copyOfRange(source, (i * channels + c) * plane,
            (i * channels + c + 1) * plane), height, width, level, levels);
        for (int j = 0; j < patchesPerImage; j++) {
          int[] centre = centres[i * patchesPerImage + j];
          int cy = centre[0];
          int cx = centre[1];
          if (cy < half || cy >= h - half || cx < half || cx >= w - half) {
            throw new IllegalArgumentException("patch centre (" + cy + ", " + cx + ") of image " + i + " leaves the "
                + h + "x" + w + " level " + level);
          }
          int base = (i * patchesPerImage + j) * components + c * area;
          for (int dx = -half; dx <= half; dx++) {
            for (int dy = -half; dy <= half; dy++) {
              desc[base + (dx + half) * PATCH + (dy + half)] = band[(cy + dy) * w + cx + dx];
            }
          }
        }
      }
    }
    standardise(desc, n * patchesPerImage, channels, area);
    return Nd4j.create(desc, new long[] {(long) n * patchesPerImage, components}, DataType.DOUBLE);
  }

  /** Per channel: minus the mean over all patches and positions, divided by the (population) standard deviation. */
  private static void standardise(double[] desc, int rows, int channels, int area) {
    int components = channels * area;
    for (int c = 0; c < channels; c++) {
      double sum = 0;
      for (int r = 0; r < rows; r++) {
        for (int q = 0; q < area; q++) {
          sum += desc[r * components + c * area + q];
        }
      }
      double mean = sum / ((double) rows * area);
      double squares = 0;
      for (int r = 0; r < rows; r++) {
        for (int q = 0; q < area; q++) {
          int at = r * components + c * area + q;
          desc[at] -= mean;
          squares += desc[at] * desc[at];
        }
      }
      double std = Math.sqrt(squares / ((double) rows * area));
      if (std > 0) {
        for (int r = 0; r < rows; r++) {
          for (int q = 0; q < area; q++) {
            desc[r * components + c * area + q] /= std;
          }
        }
      }
    }
  }

  /**
   * Level {@code level} of the {@code levels}-level Laplacian pyramid of one plane, as ProGAN's
   * generate_laplacian_pyramid: g_l - up(g_(l+1)) with g_0 the plane and g_(l+1) = down(g_l), and
   * the low-pass g_l itself at the last level.
   */
  static double[] laplacianLevel(double[] plane, int height, int width, int level, int levels) {
    double[] g = plane;
    int h = height;
    int w = width;
    for (int l = 0; l < level; l++) {
      g = down(g, h, w);
      h /= 2;
      w /= 2;
    }
    if (level == levels - 1) {
      return g;
    }
    double[] coarse = up(down(g, h, w), h / 2, w / 2);
    double[] band = new double[g.length];
    for (int i = 0; i < band.length; i++) {
      band[i] = g[i] - coarse[i];
    }
    return band;
  }

  /** cv2.pyrDown as ProGAN's pyr_down: blur with mirrored edges, then every other row and column. */
  static double[] down(double[] g, int h, int w) {
    double[] blurred = blur(g, h, w, 1.0);
    double[] out = new double[(h / 2) * (w / 2)];
    for (int y = 0; y < h / 2; y++) {
      for (int x = 0; x < w / 2; x++) {
        out[y * (w / 2) + x] = blurred[2 * y * w + 2 * x];
      }
    }
    return out;
  }

  /** cv2.pyrUp as ProGAN's pyr_up: zeros between the samples, then blur times 4. */
  static double[] up(double[] g, int h, int w) {
    double[] spread = new double[4 * h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        spread[2 * y * 2 * w + 2 * x] = g[y * w + x];
      }
    }
    return blur(spread, 2 * h, 2 * w, 4.0);
  }

  /** The separable 5x5 [1, 4, 6, 4, 1]^2 / 256 filter times {@code gain}, edges mirrored as scipy's mode 'mirror'. */
  private static double[] blur(double[] g, int h, int w, double gain) {
    double[] rows = new double[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double s = 0;
        for (int t = -2; t <= 2; t++) {
          s += TAPS[t + 2] * g[y * w + mirror(x + t, w)];
        }
        rows[y * w + x] = s;
      }
    }
    double[] out = new double[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double s = 0;
        for (int t = -2; t <= 2; t++) {
          s += TAPS[t + 2] * rows[mirror(y + t, h) * w + x];
        }
        out[y * w + x] = s * gain;
      }
    }
    return out;
  }

  /** Reflection about the edge samples: -1 -> 1, n -> n - 2. */
  private static int mirror(int i, int n) {
    if (i < 0) {
      return -i;
    }
    return i >= n ? 2 * (n - 1) - i : i;
  }
}
