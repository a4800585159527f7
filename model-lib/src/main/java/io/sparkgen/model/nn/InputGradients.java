package io.sparkgen.model.nn;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Backward passes of {@link Layers}' ops written as forward ops: given dL/d(output), each returns
 * dL/d(input) on the same weight variables. A gradient built from these is an ordinary graph
 * node, so SameDiff's first-order autodiff of a function of it (a gradient penalty) is the exact
 * second-order gradient, which M2.1 cannot take itself: its backprop ops do not differentiate
 * ("Unable to take derivative of derivative", e.g. conv2d_bp).
 */
public final class InputGradients {

  private InputGradients() {}

  /** Of {@code x W (+ b)}, W [in, out]: dy W^T. */
  public static SDVariable dense(SDVariable dy, SDVariable w) {
    return dy.mmul(w.permute(1, 0));
  }

  /**
   * Of {@link Layers#leakyRelu}: dy where a > 0, slope dy elsewhere; the mask is piecewise constant
   * in a, so it passes no gradient to a. The slope is rounded to float as libnd4j's leakyrelu op
   * rounds its alpha, so that this is exactly the derivative of the function the op computes.
   */
  public static SDVariable leakyRelu(SameDiff sd, SDVariable dy, SDVariable a, double slope) {
    double alpha = (float) slope;
    SDVariable derivative = sd.math().step(a, 0.0).mul(1.0 - alpha).add(alpha);
    return dy.mul(derivative);
  }

  /** Of {@link Layers#dropout}: dy times the same mask. */
  public static SDVariable dropout(SDVariable dy, SDVariable mask) {
    return dy.mul(mask);
  }

  /**
   * Of {@link Layers#conv2d} (W [k, k, in, out], stride s, NCHW) on an input of {@code height} x
   * {@code width}: the adjoint of the convolution, a transposed convolution with the same W (libnd4j's
   * deconv2d reads W as [k, k, its out = in, its in = out]) without padding, of size (n - 1) s + k per
   * axis, cropped to where the padded input lay (TensorFlow's 'same' pads (total) / 2 before).
   */
  public static SDVariable conv2d(
      SameDiff sd, SDVariable dy, SDVariable w, int k, int stride, Layers.Padding padding, long height, long width) {
    DeConv2DConfig config =
        DeConv2DConfig.builder()
            .kH(k).kW(k).sH(stride).sW(stride)
            .isSameMode(false)
            .dataFormat(Conv2DConfig.NCHW)
            .build();
    SDVariable full = sd.cnn().deconv2d(dy, w, config);
    long[] rows = window(height, k, stride, padding);
    long[] cols = window(width, k, stride, padding);
    if (rows[2] > 0 || cols[2] > 0) {
      // Kernel smaller than the stride: the last input rows reach no output, their gradient is 0.
      INDArray pads = Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {0, (int) rows[2]}, {0, (int) cols[2]}});
      full = sd.nn().pad(full, sd.constant(pads), PadMode.CONSTANT, 0.0);
    }
    return full.get(
        SDIndex.all(), SDIndex.all(), SDIndex.interval(rows[0], rows[1]), SDIndex.interval(cols[0], cols[1]));
  }

  /**
   * Along one axis of {@code size}: {begin, end} of the input within the unpadded transposed
   * convolution's output, and how many zero rows that output lacks at its end.
   */
  static long[] window(long size, int k, int stride, Layers.Padding padding) {
    long out = padding == Layers.Padding.SAME ? (size + stride - 1) / stride : (size - k) / stride + 1;
    long full = (out - 1) * stride + k;
    long before = padding == Layers.Padding.SAME ? Math.max(full - size, 0) / 2 : 0;
    return new long[] {before, before + size, Math.max(before + size - full, 0)};
  }
}
