package io.sparkgen.model.nn;

import java.util.Locale;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.DataFormat;
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Two computations of libnd4j's 'same' transposed convolution (out[s q + r] = sum over taps t with
 * s i + t - p = s q + r of x[i] W[t], p = (k - s) / 2, per axis). PHASE_CONV splits the output by
 * phase r (the sub-pixel decomposition of Shi et al. 2016): each phase is a plain correlation of x
 * with the taps t = s d + r + p, so one stride-1 convolution with all s^2 phases as output
 * channels, followed by depth-to-space, gives the whole output. Its kernel is a fixed linear map
 * (a 0/1 matrix) of W, so W stays the parameter and its gradient flows through that map.
 * Selected by the system property {@code sparkgen.nn.deconv} = auto (default) | conv | native.
 */
public enum TransposedConv {
  /** libnd4j's deconv2d op. */
  NATIVE,
  /** Stride-1 convolution over the s^2 phases, then depth-to-space. */
  PHASE_CONV;

  private static volatile Boolean oneDnn;

  /** The computation {@link Layers#deconv2d} uses: PHASE_CONV where oneDNN runs the convolutions. */
  public static TransposedConv chosen() {
    String mode = System.getProperty("sparkgen.nn.deconv", "auto").trim().toLowerCase(Locale.ROOT);
    return switch (mode) {
      case "native" -> NATIVE;
      case "conv" -> PHASE_CONV;
      case "auto" -> OneDnnConv.enabled() || backendHasOneDnn() ? PHASE_CONV : NATIVE;
      default -> throw new IllegalArgumentException("sparkgen.nn.deconv=" + mode + ": expected auto, conv or native");
    };
  }

  /** True when libnd4j was built with oneDNN (classifier linux-x86_64-onednn) and may use it. */
  static boolean backendHasOneDnn() {
    if (oneDnn == null) {
      Nd4j.getExecutioner(); // loads the backend
      oneDnn = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo().contains("HAVE_ONEDNN");
    }
    return oneDnn && Nd4j.getEnvironment().helpersAllowed();
  }

  static SDVariable nativeDeconv(SameDiff sd, SDVariable x, SDVariable w, int k, int stride) {
    DeConv2DConfig config =
        DeConv2DConfig.builder()
            .kH(k).kW(k).sH(stride).sW(stride)
            .isSameMode(true)
            .dataFormat(Conv2DConfig.NCHW)
            .build();
    return sd.cnn().deconv2d(x, w, config);
  }

  /** x [N, in, H, W], w [k, k, out, in] to [N, out, s H, s W]. */
  static SDVariable phaseConv(SameDiff sd, SDVariable x, SDVariable w, long in, long out, int k, int s) {
    Taps taps = Taps.of(k, s);
    int kk = taps.size();
    // Kernel of the phase convolution: [K, K, in, (ry, rx, out)] = W[tap(jy, ry), tap(jx, rx), out, in] or 0.
    INDArray select = Nd4j.zeros(w.dataType(), (long) k * k, (long) kk * kk * s * s);
    for (int jy = 0; jy < kk; jy++) {
      for (int jx = 0; jx < kk; jx++) {
        for (int ry = 0; ry < s; ry++) {
          for (int rx = 0; rx < s; rx++) {
            int ty = taps.tap(jy, ry);
            int tx = taps.tap(jx, rx);
            if (ty >= 0 && tx >= 0) {
              select.putScalar(new long[] {(long) ty * k + tx, ((jy * kk + jx) * s + ry) * s + rx}, 1.0);
            }
          }
        }
      }
    }
    SDVariable taps2d = w.permute(2, 3, 0, 1).reshape(out * in, (long) k * k);
    // k = s = 1 makes select the 1x1 identity; skipping it also avoids libnd4j's matmul_bp, which
    // fails ("mulRowVector: wrong arguments") on a [1, 1] x [1, 1] product (a one-in, one-out layer).
    SDVariable mapped = k == 1 && s == 1 ? taps2d : taps2d.mmul(sd.constant(select));
    SDVariable kernel =
        mapped
            .reshape(out, in, kk, kk, s, s)
            .permute(2, 3, 1, 4, 5, 0)
            .reshape(kk, kk, in, (long) s * s * out);
    SDVariable padded = x;
    if (taps.before() > 0 || taps.after() > 0) {
      INDArray pads = Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {taps.before(), taps.after()}, {taps.before(), taps.after()}});
      padded = sd.nn().pad(x, sd.constant(pads), PadMode.CONSTANT, 0.0);
    }
    Conv2DConfig config =
        Conv2DConfig.builder()
            .kH(kk).kW(kk).sH(1).sW(1)
            .paddingMode(PaddingMode.VALID)
            .dataFormat(Conv2DConfig.NCHW)
            .build();
    SDVariable phases = sd.cnn().conv2d(padded, kernel, config);
    return s == 1 ? phases : sd.cnn().depthToSpace(phases, s, DataFormat.NCHW);
  }

  /**
   * Per axis: phase r reads x[q + j] with tap t = p + r - s j, for offsets j in [jMin, jMax]; the
   * convolution's kernel index is j - jMin, and x is padded by -jMin before and jMax after.
   */
  record Taps(int k, int s, int p, int jMin, int jMax) {

    static Taps of(int k, int s) {
      int p = (k - s) / 2;
      int jMin = Integer.MAX_VALUE;
      int jMax = Integer.MIN_VALUE;
      for (int r = 0; r < s; r++) {
        for (int t = 0; t < k; t++) {
          if (Math.floorMod(t - r - p, s) == 0) {
            int j = -Math.floorDiv(t - r - p, s);
            jMin = Math.min(jMin, j);
            jMax = Math.max(jMax, j);
          }
        }
      }
      if (jMin > 0 || jMax < 0) {
        throw new IllegalArgumentException("kernel " + k + " with stride " + s + " has no centre tap");
      }
      return new Taps(k, s, p, jMin, jMax);
    }

    int size() {
      return jMax - jMin + 1;
    }

    int before() {
      return -jMin;
    }

    int after() {
      return jMax;
    }

    /** The tap of W that kernel index {@code index} uses in phase {@code r}, or -1. */
    int tap(int index, int r) {
      int t = p + r - s * (index + jMin);
      return t >= 0 && t < k ? t : -1;
    }
  }
}
