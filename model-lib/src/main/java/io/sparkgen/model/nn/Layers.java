package io.sparkgen.model.nn;

import io.sparkgen.model.params.NamedArrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The layers the reference architectures use, as SameDiff ops on NCHW tensors, with Keras' weight
 * layouts and defaults. Parameters are named {@code <layer>/<W|b|gamma|beta>}.
 */
public final class Layers {

  private Layers() {}

  /** Padding as Keras names it. */
  public enum Padding {
    SAME,
    VALID
  }

  /** x W (+ b), W [in, out]. */
  public static SDVariable dense(GraphBuilder g, String name, SDVariable x, long in, long out, boolean bias) {
    SDVariable y = x.mmul(g.param(name + "/W", Init.GLOROT_UNIFORM, in, out));
    return bias ? y.add(g.param(name + "/b", Init.ZEROS, 1, out)) : y;
  }

  /** 2-D convolution, W [k, k, in, out]. */
  public static SDVariable conv2d(
      GraphBuilder g, String name, SDVariable x, long in, long out, int k, int stride, Padding padding, boolean bias) {
    return conv2d(g, name, x, in, out, k, stride, padding, bias, Init.GLOROT_UNIFORM);
  }

  /** {@link #conv2d} with the kernel initialised by {@code init} (e.g. zeros for a residual branch's last layer). */
  public static SDVariable conv2d(
      GraphBuilder g, String name, SDVariable x, long in, long out, int k, int stride, Padding padding, boolean bias,
      Init init) {
    SDVariable w = g.param(name + "/W", init, k, k, in, out);
    Conv2DConfig config =
        Conv2DConfig.builder()
            .kH(k).kW(k).sH(stride).sW(stride)
            .paddingMode(padding == Padding.SAME ? PaddingMode.SAME : PaddingMode.VALID)
            .dataFormat(Conv2DConfig.NCHW)
            .build();
    if (!bias) {
      return g.sd().cnn().conv2d(x, w, config);
    }
    // The bias goes into the conv op (oneDNN adds it, and its backward pass sums its gradient) rather
    // than a separate broadcast add, whose add_bp cost as much as a small convolution's backward pass.
    SDVariable b = g.param(name + "/b", Init.ZEROS, 1, out, 1, 1);
    return g.sd().cnn().conv2d(x, w, b.reshape(out), config);
  }

  /**
   * Transposed 2-D convolution with 'same' padding (output = input * stride), W [k, k, out, in].
   * Computed as {@link TransposedConv#chosen()} says: where oneDNN runs convolutions (several
   * times faster than libnd4j's own deconv2d on CPU), as one stride-1 convolution plus
   * depth-to-space ({@link #deconv2dAsConv}); elsewhere with libnd4j's deconv2d op. Same maths,
   * same parameters.
   */
  public static SDVariable deconv2d(
      GraphBuilder g, String name, SDVariable x, long in, long out, int k, int stride, boolean bias) {
    SDVariable w = g.param(name + "/W", Init.GLOROT_UNIFORM, k, k, out, in);
    SDVariable y =
        TransposedConv.chosen() == TransposedConv.PHASE_CONV
            ? TransposedConv.phaseConv(g.sd(), x, w, in, out, k, stride)
            : TransposedConv.nativeDeconv(g.sd(), x, w, k, stride);
    return bias ? y.add(g.param(name + "/b", Init.ZEROS, 1, out, 1, 1)) : y;
  }

  /** {@link #deconv2d} computed as a stride-1 convolution plus depth-to-space, whatever the backend. */
  public static SDVariable deconv2dAsConv(
      GraphBuilder g, String name, SDVariable x, long in, long out, int k, int stride, boolean bias) {
    SDVariable w = g.param(name + "/W", Init.GLOROT_UNIFORM, k, k, out, in);
    SDVariable y = TransposedConv.phaseConv(g.sd(), x, w, in, out, k, stride);
    return bias ? y.add(g.param(name + "/b", Init.ZEROS, 1, out, 1, 1)) : y;
  }

  /** max(x, slope x). Keras' LeakyReLU defaults to slope 0.3. */
  public static SDVariable leakyRelu(SameDiff sd, SDVariable x, double slope) {
    return sd.nn().leakyRelu(x, slope);
  }

  /**
   * {@code x * factor} for a factor that broadcasts over x (a per-channel [1, C, 1, 1] gain, a
   * per-image [N, C, 1, 1] style): the factor is first expanded to x's shape as zeros_like(x) +
   * factor, so that add_bp, not multiply_bp, reduces its gradient. libnd4j 1.0.0-M2.1's
   * multiply_bp and divide_bp reduce a broadcast operand's gradient 10-40x slower than add_bp (a
   * [64, 32, 28, 28] activation times a per-channel gain: 40-85 ms against about 8 ms for the three
   * ops here and their gradients), which made the gains of GroupNorm the largest cost of the UNet's training step.
   */
  public static SDVariable mulBroadcast(SDVariable x, SDVariable factor) {
    return x.mul(x.getSameDiff().zerosLike(x).add(factor));
  }

  /**
   * x exp(logScale) + shift per channel of [N, C, ...] x (Glow's ActNorm), logScale and shift with
   * C elements: one fused op forward and back ({@link ChannelAffine}), computed by our sessions.
   */
  public static SDVariable channelAffine(SameDiff sd, SDVariable x, SDVariable logScale, SDVariable shift) {
    return ChannelAffine.apply(sd, x, logScale, shift);
  }

  /** Inverted dropout with a mask drawn outside the graph (see {@code Rng#dropoutMask}). */
  public static SDVariable dropout(SDVariable x, SDVariable mask) {
    return x.mul(mask);
  }

  /**
   * SiLU (swish), x * sigmoid(x) (Elfwing et al. 2018; Ho et al. 2020's nonlinearity), written as
   * h * (1 + tanh(h)) with h = x / 2: tanh runs oneDNN's vectorised kernel ({@link OneDnnTanh}) and
   * its backward op too, where libnd4j's swish and its derivative are scalar loops (a SiLU's
   * forward and backward pass ~4 ms against ~9 ms for [64, 32, 28, 28]).
   */
  public static SDVariable silu(SameDiff sd, SDVariable x) {
    SDVariable half = x.mul(0.5);
    return half.mul(sd.math().tanh(half).add(1.0));
  }

  /**
   * Group normalisation (Wu &amp; He 2018) of [N, C, ...] {@code x} with {@code channels} channels
   * in {@code groups} groups: each image's group is standardised over (channels of the group,
   * positions) with its mean and biased variance plus 1e-5, then scaled by gamma [1, C, 1, 1] and
   * shifted by beta. Unlike batch norm it has no running state, so training and sampling graphs
   * are the same. One fused op forward and back ({@link GroupNorm}), computed by our sessions.
   */
  public static SDVariable groupNorm(GraphBuilder g, String name, SDVariable x, long channels, int groups) {
    return groupNorm(g, name, x, channels, groups, false);
  }

  /** SiLU(GroupNorm(x)) as one fused op forward and back (the UNet's "norm, act"); see {@link #groupNorm}. */
  public static SDVariable groupNormSilu(GraphBuilder g, String name, SDVariable x, long channels, int groups) {
    return groupNorm(g, name, x, channels, groups, true);
  }

  private static SDVariable groupNorm(GraphBuilder g, String name, SDVariable x, long channels, int groups, boolean silu) {
    if (channels % groups != 0) {
      throw new IllegalArgumentException(name + ": " + channels + " channels do not split into " + groups + " groups");
    }
    SDVariable gamma = g.param(name + "/gamma", Init.ONES, 1, channels, 1, 1);
    SDVariable beta = g.param(name + "/beta", Init.ZEROS, 1, channels, 1, 1);
    return GroupNorm.apply(g.sd(), x, gamma, beta, groups, silu);
  }

  /**
   * Nearest-neighbour upsampling of NCHW {@code x} by 2 in height and width: every row times a
   * [W, 2W] 0/1 matrix repeats each pixel (a GEMM, and its backward pass one too), then a concat
   * repeats each row. Exact for finite values (an infinite input also spreads NaN to its row's
   * neighbours). ~1.6x faster forward and back than repeating pixels with an interleaving concat,
   * ~2x than four channel copies and depth-to-space (libnd4j's depth_to_space is a slow generic
   * loop; M2.1's upsampling2d op fails shape inference in graphs).
   */
  public static SDVariable upsample2x(SameDiff sd, SDVariable x, long channels, long height, long width) {
    INDArray repeat = Nd4j.zeros(x.dataType(), width, 2 * width);
    for (long j = 0; j < width; j++) {
      repeat.putScalar(new long[] {j, 2 * j}, 1.0);
      repeat.putScalar(new long[] {j, 2 * j + 1}, 1.0);
    }
    SDVariable rows = x.reshape(-1, width).mmul(sd.constant(repeat)).reshape(-1, channels, height, 1, 2 * width);
    return sd.concat(3, rows, rows).reshape(-1, channels, 2 * height, 2 * width);
  }

  /** Label embedding: one-hot [N, classes] times table [classes, dim] (Keras Embedding init). */
  public static SDVariable embedding(GraphBuilder g, String name, SDVariable oneHot, long classes, long dim) {
    return oneHot.mmul(g.param(name + "/E", Init.UNIFORM_005, classes, dim));
  }

  /** [N, ...] to [N, prod(...)]. */
  public static SDVariable flatten(SDVariable x, long features) {
    return x.reshape(-1, features);
  }

  /**
   * Batch normalisation (Ioffe &amp; Szegedy 2015, Alg. 1) over {@code axes}, with gamma and beta
   * of {@code statShape}. Training mode normalises with the batch's biased moments (as Keras) and
   * exposes them for the running-average update; inference mode uses the running buffers. Built
   * from elementwise ops so that SameDiff differentiates through the batch moments.
   */
  public static BatchNorm batchNorm(
      GraphBuilder g, String name, SDVariable x, boolean training, double epsilon, long[] statShape, int... axes) {
    SDVariable gamma = g.param(name + "/gamma", Init.ONES, statShape);
    SDVariable beta = g.param(name + "/beta", Init.ZEROS, statShape);
    SDVariable mean;
    SDVariable centred;
    SDVariable variance;
    if (training) {
      g.ensureBuffer(name + "/running_mean", 0.0, statShape);
      g.ensureBuffer(name + "/running_var", 1.0, statShape);
      mean = x.mean(true, axes);
      centred = x.sub(mean);
      // centred * centred rather than squaredDifference(x, mean), whose squaredsubtract_bp reduces the
      // broadcast mean's gradient as slowly as multiply_bp (~30 ms of a DCGAN generator step).
      variance = centred.mul(centred).mean(true, axes);
    } else {
      mean = g.buffer(name + "/running_mean", 0.0, statShape);
      centred = x.sub(mean);
      variance = g.buffer(name + "/running_var", 1.0, statShape);
    }
    SDVariable xHat = mulBroadcast(centred, g.sd().math().rsqrt(variance.add(epsilon)));
    SDVariable y = mulBroadcast(xHat, gamma).add(beta);
    return new BatchNorm(name, y, training ? mean : null, training ? variance : null);
  }

  /** A batch-norm layer's output and, in training mode, its batch moments. */
  public record BatchNorm(String name, SDVariable y, SDVariable batchMean, SDVariable batchVariance) {

    /** Keras' moving averages of the batch mean and variance. */
    public List<RunningAverage> runningAverages(double momentum) {
      return List.of(
          new RunningAverage(name + "/running_mean", batchMean, momentum),
          new RunningAverage(name + "/running_var", batchVariance, momentum));
    }
  }

  /**
   * A buffer that follows a statistic of each training batch (a graph output):
   * buffer = momentum * buffer + (1 - momentum) * batch value.
   */
  public record RunningAverage(String buffer, SDVariable batchValue, double momentum) {

    public void update(NamedArrays buffers, INDArray value) {
      buffers.get(buffer).muli(momentum).addi(value.mul(1.0 - momentum));
    }
  }
}
