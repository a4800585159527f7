package io.sparkgen.model.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/**
 * StyleGAN's layers (Karras et al. 2019; StyleGAN2, Karras et al. 2020) on NCHW tensors, with
 * equalised learning rate: weights are stored as N(0, 1 / lrmul^2) and scaled at run time by
 * lrmul / sqrt(fan_in), biases by lrmul, so Adam's step in the effective weights is lrmul times
 * smaller and the same for every layer whatever its fan-in.
 */
public final class StyleLayers {

  /** Inside the demodulation's rsqrt (StyleGAN2's 1e-8). */
  public static final double DEMOD_EPSILON = 1e-8;

  private StyleLayers() {}

  /** Run-time weight scale of an equalised-learning-rate layer: lrmul / sqrt(fan_in). */
  public static double weightGain(long fanIn, double lrMultiplier) {
    return lrMultiplier / Math.sqrt(fanIn);
  }

  /** x (W c) + b lrmul, W [in, out] ~ N(0, 1 / lrmul^2), c = {@link #weightGain}; b starts at {@code biasInit}. */
  public static SDVariable equalizedDense(
      GraphBuilder g, String name, SDVariable x, long in, long out, double lrMultiplier, double biasInit) {
    SDVariable w = g.scaledParam(name + "/W", Init.STANDARD_NORMAL, 1.0 / lrMultiplier, in, out);
    SDVariable b = g.scaledParam(name + "/b", Init.ONES, biasInit / lrMultiplier, 1, out);
    return x.mmul(w.mul(weightGain(in, lrMultiplier))).add(b.mul(lrMultiplier));
  }

  /**
   * StyleGAN2's modulated convolution (Karras et al. 2020, Sec. 2.2, Eq. 1 and 3), stride 1, 'same'
   * padding, W [k, k, in, out] at equalised learning rate. Per sample n the effective weights are
   * w'_{ijk} = s_{n,i} c W_{ijk}, and with {@code demodulate} w''_{ijk} = w'_{ijk} / sqrt(sum_{i,k}
   * w'_{ijk}^2 + epsilon). Computed without per-sample weights, as the paper's fused_modconv=False:
   * scale the input channels by s, convolve with the shared c W, scale output channel j of sample
   * n by its demodulation coefficient 1 / sqrt(sum_i s_{n,i}^2 sum_k (c W_{ijk})^2 + epsilon); the
   * same numbers, since the coefficient does not depend on the pixel.
   *
   * @param styles s [N, in]
   */
  public static SDVariable modulatedConv(
      GraphBuilder g, String name, SDVariable x, SDVariable styles, long in, long out, int k, boolean demodulate) {
    SameDiff sd = g.sd();
    SDVariable w = g.param(name + "/W", Init.STANDARD_NORMAL, k, k, in, out).mul(weightGain((long) k * k * in, 1.0));
    Conv2DConfig config =
        Conv2DConfig.builder().kH(k).kW(k).sH(1).sW(1).paddingMode(PaddingMode.SAME).dataFormat(Conv2DConfig.NCHW).build();
    SDVariable y = sd.cnn().conv2d(Layers.mulBroadcast(x, styles.reshape(-1, in, 1, 1)), w, config);
    if (!demodulate) {
      return y;
    }
    // sum_k (c W_ijk)^2 [in, out]; then per sample sum_i s_i^2 of it.
    SDVariable squares = sd.math().square(w);
    // M2.1 cannot sum over an axis of size 1 in a graph: a 1x1 kernel has nothing to sum.
    SDVariable kernelSquares = k == 1 ? squares.reshape(in, out) : squares.reshape(k * k, in, out).sum(0);
    SDVariable demod = sd.math().rsqrt(sd.math().square(styles).mmul(kernelSquares).add(DEMOD_EPSILON));
    return Layers.mulBroadcast(y, demod.reshape(-1, out, 1, 1));
  }

  /** leaky_relu(x, 0.2) sqrt(2): StyleGAN's activation with the gain that keeps unit variance. */
  public static SDVariable leakyReluWithGain(SameDiff sd, SDVariable x) {
    return sd.nn().leakyRelu(x, 0.2).mul(Math.sqrt(2.0));
  }

  /** x + noise strength, noise [N, 1, H, W] ~ N(0, 1) drawn outside the graph, strength [1, C, 1, 1] learned from 0. */
  public static SDVariable noise(GraphBuilder g, String name, SDVariable x, SDVariable noise, long channels) {
    return x.add(noise.mul(g.param(name + "/noise_strength", Init.ZEROS, 1, channels, 1, 1)));
  }
}
