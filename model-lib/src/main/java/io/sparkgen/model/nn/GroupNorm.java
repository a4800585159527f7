package io.sparkgen.model.nn;

import java.util.List;
import java.util.stream.IntStream;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SessionMemMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNorm;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNormBp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Group normalisation (Wu &amp; He 2018) as one fused op forward and one backward, computed here
 * in Java: each image's group of channels is standardised over (channels of the group, spatial
 * positions) with its mean and biased variance plus {@value #EPSILON} (PyTorch's default), then
 * scaled by gamma and shifted by beta per channel. As SameDiff ops it took ~10 full-size passes
 * forward and ~15 backward (30-80 ms forward and back for [64, 32, 28, 28] on the 2-core machine);
 * fused, two passes each way over group-sized blocks that stay in cache (~4 ms). A variant with SiLU
 * after the normalisation ({@link #SILU_MARKER}) saves the UNet the SiLU's graph ops (five full-size
 * ops each way); its tanh runs as libnd4j's custom op, oneDNN's vectorised kernel.
 *
 * <p>In the graph the op is libnd4j's {@code layer_norm} (inputs x, gamma, beta; its gradient op
 * {@code layer_norm_bp} has outputs dL/dx, dL/dgamma, dL/dbeta of the inputs' shapes): SameDiff
 * infers shapes and builds the gradient function from it as from any op. Its one dimension argument
 * is {@value #MARKER} (or {@value #SILU_MARKER}) + groups, which marks it as ours: {@link RecyclingSession}, which runs every
 * graph of the model library, computes it here. A session that does not know it (SameDiff's own)
 * fails on it loudly, as libnd4j rejects that dimension, rather than computing a layer norm.
 */
final class GroupNorm {

  /** Added to the group count in the op's dimension argument; far above any array rank. */
  static final int MARKER = 1_000_000;

  /** The marker of GroupNorm followed by SiLU in the same op. */
  static final int SILU_MARKER = 2_000_000;

  /** Added to each group's variance, as PyTorch's GroupNorm (eps = 1e-5). */
  static final double EPSILON = 1e-5;

  private GroupNorm() {}

  /**
   * GroupNorm of NCHW (or any [N, C, ...]) {@code x} with gamma and beta of C elements each; with
   * {@code silu}, followed by SiLU in the same op.
   */
  static SDVariable apply(SameDiff sd, SDVariable x, SDVariable gamma, SDVariable beta, int groups, boolean silu) {
    return new LayerNorm(sd, x, gamma, beta, true, (silu ? SILU_MARKER : MARKER) + groups).outputVariable();
  }

  /** What a GroupNorm op (or its gradient) computes. */
  record Spec(int groups, boolean silu) {}

  /** The op's spec if {@code op} is a GroupNorm op or its gradient, else null. */
  static Spec spec(DifferentialFunction op) {
    if (!(op instanceof LayerNorm) && !(op instanceof LayerNormBp)) {
      return null;
    }
    long[] args = ((DynamicCustomOp) op).iArgs();
    if (args.length != 1 || args[0] <= MARKER || args[0] >= ChannelAffine.MARKER || args[0] == SILU_MARKER) {
      return null;
    }
    boolean silu = args[0] > SILU_MARKER;
    return new Spec(Math.toIntExact(args[0] - (silu ? SILU_MARKER : MARKER)), silu);
  }

  /**
   * Runs the op ({@code layer_norm} or {@code layer_norm_bp}) on {@code context}'s arrays; scratch
   * arrays come from and go back to {@code memory}.
   */
  static void run(DifferentialFunction op, OpContext context, Spec spec, SessionMemMgr memory) {
    List<INDArray> in = context.getInputArrays();
    List<INDArray> out = context.getOutputArrays();
    if (op instanceof LayerNorm) {
      forward(in.get(0), in.get(1), in.get(2), spec, out.get(0), memory);
    } else {
      backward(in.get(0), in.get(1), in.get(2), in.get(3), spec, out.get(0), out.get(1), out.get(2), memory);
    }
  }

  /**
   * y = z = gamma * (x - mean) / sqrt(var + eps) + beta per image and group; with SiLU, y = z *
   * sigmoid(z) = h (1 + tanh h) with h = z / 2, tanh by libnd4j's custom op (oneDNN's kernel).
   */
  static void forward(INDArray x, INDArray gamma, INDArray beta, Spec spec, INDArray y, SessionMemMgr memory) {
    Layout l = new Layout(x, gamma, spec.groups());
    INDArray target = Block.plainOrCopy(y);
    normalise(l, Block.plainOrCopy(x), Block.readAll(gamma), Block.readAll(beta), spec.silu() ? 0.5 : 1.0, target, null);
    if (spec.silu()) {
      INDArray onePlusTanh = memory.ulike(target);
      OneDnnTanh.apply(target, onePlusTanh);
      onePlusTanh.addi(1.0);
      target.muli(onePlusTanh);
      memory.release(onePlusTanh);
    }
    Block.finish(target, y);
  }

  /**
   * target = factor * (gamma * xhat + beta) for every image and group; the groups' {mean, rstd}
   * into {@code moments} [2 * images * groups] if given.
   */
  private static void normalise(Layout l, INDArray source, double[] g, double[] b, double factor, INDArray target, double[] moments) {
    IntStream.range(0, l.images * l.groups).parallel().forEach(i -> {
      Block block = Block.local(l.groupSize);
      double[] xs = block.read(source, (long) i * l.groupSize, block.x);
      double[] m = moments(xs, l.groupSize);
      if (moments != null) {
        moments[2 * i] = m[0];
        moments[2 * i + 1] = m[1];
      }
      int first = (i % l.groups) * l.channelsPerGroup;
      for (int c = 0; c < l.channelsPerGroup; c++) {
        double scale = factor * g[first + c] * m[1];
        double shift = factor * b[first + c] - m[0] * scale;
        int from = c * l.positions;
        for (int j = from; j < from + l.positions; j++) {
          block.out[j] = xs[j] * scale + shift;
        }
      }
      block.write(target, (long) i * l.groupSize);
    });
  }

  /**
   * dL/dx, dL/dgamma and dL/dbeta from x and dL/dy: with xhat = (x - mean) * rstd per group,
   * dL/dx = rstd * (gamma dz - mean(gamma dz) - xhat * mean(gamma dz xhat)) over the group;
   * dL/dgamma = sum(dz * xhat), dL/dbeta = sum(dz) over images and positions, summed over the
   * images in a fixed order (the same result however the groups are spread over threads). dz is
   * dL/dy, or with SiLU dL/dy * SiLU'(z) = dL/dy * (1 + t + h (1 - t^2)) / 2 with h = z / 2 and t =
   * tanh h, which a first pass computes (z recomputed from x).
   */
  static void backward(INDArray x, INDArray gamma, INDArray beta, INDArray gradOut, Spec spec,
      INDArray gradX, INDArray gradGamma, INDArray gradBeta, SessionMemMgr memory) {
    int groups = spec.groups();
    Layout l = new Layout(x, gamma, groups);
    INDArray source = Block.plainOrCopy(x);
    INDArray upstream = Block.plainOrCopy(gradOut);
    double[] g = Block.readAll(gamma);
    double[] b = Block.readAll(beta);
    INDArray tanhHalfZ = null;
    double[] groupMoments = null;
    if (spec.silu()) {
      tanhHalfZ = memory.ulike(source);
      groupMoments = new double[2 * l.images * groups];
      normalise(l, source, g, b, 0.5, tanhHalfZ, groupMoments);
      OneDnnTanh.apply(tanhHalfZ, tanhHalfZ);
    }
    INDArray tanhs = tanhHalfZ;
    double[] known = groupMoments;
    double[] dGammaPerImage = new double[l.images * l.channels];
    double[] dBetaPerImage = new double[l.images * l.channels];
    INDArray target = Block.plainOrCopy(gradX);
    IntStream.range(0, l.images * groups).parallel().forEach(i -> {
      Block block = Block.local(l.groupSize);
      long offset = (long) i * l.groupSize;
      double[] xs = block.read(source, offset, block.x);
      double[] dy = block.read(upstream, offset, block.dy);
      int image = i / groups;
      int first = (i % groups) * l.channelsPerGroup;
      if (tanhs != null) {
        double[] t = block.read(tanhs, offset, block.t);
        double mean = known[2 * i];
        double rstd = known[2 * i + 1];
        for (int c = 0; c < l.channelsPerGroup; c++) {
          double scale = 0.5 * g[first + c] * rstd;
          double shift = 0.5 * b[first + c] - mean * scale;
          int from = c * l.positions;
          for (int j = from; j < from + l.positions; j++) {
            double h = xs[j] * scale + shift;
            dy[j] *= 0.5 * (1.0 + t[j] + h * (1.0 - t[j] * t[j]));
          }
        }
      }
      // One pass per channel for sum(x), sum(x^2), sum(dz), sum(dz x); the group's moments from them.
      double[] perChannel = new double[4 * l.channelsPerGroup];
      double sumX = 0;
      double sumSquares = 0;
      for (int c = 0; c < l.channelsPerGroup; c++) {
        int from = c * l.positions;
        channelSums(xs, dy, from, from + l.positions, perChannel, 4 * c);
        sumX += perChannel[4 * c];
        sumSquares += perChannel[4 * c + 1];
      }
      double mean = sumX / l.groupSize;
      double rstd = inverseStd(sumSquares / l.groupSize - mean * mean);
      double sumGammaDy = 0;
      double sumGammaDyXhat = 0;
      for (int c = 0; c < l.channelsPerGroup; c++) {
        double sumDy = perChannel[4 * c + 2];
        double sumDyXhat = (perChannel[4 * c + 3] - mean * sumDy) * rstd;
        dBetaPerImage[image * l.channels + first + c] = sumDy;
        dGammaPerImage[image * l.channels + first + c] = sumDyXhat;
        sumGammaDy += g[first + c] * sumDy;
        sumGammaDyXhat += g[first + c] * sumDyXhat;
      }
      double meanGammaDy = sumGammaDy / l.groupSize;
      double meanGammaDyXhat = sumGammaDyXhat / l.groupSize;
      for (int c = 0; c < l.channelsPerGroup; c++) {
        double gc = g[first + c];
        int from = c * l.positions;
        for (int j = from; j < from + l.positions; j++) {
          double xhat = (xs[j] - mean) * rstd;
          block.out[j] = rstd * (gc * dy[j] - meanGammaDy - xhat * meanGammaDyXhat);
        }
      }
      block.write(target, offset);
    });
    Block.finish(target, gradX);
    if (tanhHalfZ != null) {
      memory.release(tanhHalfZ);
    }
    double[] dGamma = sumOverImages(dGammaPerImage, l.images, l.channels);
    double[] dBeta = sumOverImages(dBetaPerImage, l.images, l.channels);
    Block.assign(gradGamma, dGamma);
    Block.assign(gradBeta, dBeta);
  }

  /**
   * Per-channel sums of per-(image, channel) partial sums [images * channels], image by image in
   * order: the same result however the partials were spread over threads.
   */
  static double[] sumOverImages(double[] perImage, int images, int channels) {
    double[] sums = new double[channels];
    for (int n = 0; n < images; n++) {
      for (int c = 0; c < channels; c++) {
        sums[c] += perImage[n * channels + c];
      }
    }
    return sums;
  }

  /**
   * {mean, 1 / sqrt(biased variance + eps)} of xs[0, n) in one pass, the variance as E[x^2] -
   * mean^2 in double (exact enough unless |mean| / std approaches 1e6 or so, far from activations).
   */
  private static double[] moments(double[] xs, int n) {
    double s0 = 0;
    double s1 = 0;
    double q0 = 0;
    double q1 = 0;
    int j = 0;
    for (; j + 1 < n; j += 2) {
      s0 += xs[j];
      s1 += xs[j + 1];
      q0 += xs[j] * xs[j];
      q1 += xs[j + 1] * xs[j + 1];
    }
    for (; j < n; j++) {
      s0 += xs[j];
      q0 += xs[j] * xs[j];
    }
    double mean = (s0 + s1) / n;
    return new double[] {mean, inverseStd((q0 + q1) / n - mean * mean)};
  }

  private static double inverseStd(double variance) {
    return 1.0 / Math.sqrt(Math.max(variance, 0.0) + EPSILON);
  }

  /**
   * sum(x), sum(x^2), sum(dy), sum(dy x) over [from, to) into out[at, at + 4), with two running
   * sums each so that the additions pipeline (one chain waits ~4 cycles per element).
   */
  private static void channelSums(double[] x, double[] dy, int from, int to, double[] out, int at) {
    double x0 = 0;
    double x1 = 0;
    double xx0 = 0;
    double xx1 = 0;
    double d0 = 0;
    double d1 = 0;
    double dx0 = 0;
    double dx1 = 0;
    int j = from;
    for (; j + 1 < to; j += 2) {
      double a = x[j];
      double b = x[j + 1];
      double da = dy[j];
      double db = dy[j + 1];
      x0 += a;
      x1 += b;
      xx0 += a * a;
      xx1 += b * b;
      d0 += da;
      d1 += db;
      dx0 += da * a;
      dx1 += db * b;
    }
    for (; j < to; j++) {
      x0 += x[j];
      xx0 += x[j] * x[j];
      d0 += dy[j];
      dx0 += dy[j] * x[j];
    }
    out[at] = x0 + x1;
    out[at + 1] = xx0 + xx1;
    out[at + 2] = d0 + d1;
    out[at + 3] = dx0 + dx1;
  }

  /** Sizes of a GroupNorm call, checked. */
  private static final class Layout {
    final int images;
    final int channels;
    final int groups;
    final int channelsPerGroup;
    final int positions;
    final int groupSize;

    Layout(INDArray x, INDArray gamma, int groups) {
      if (x.rank() < 2) {
        throw new IllegalArgumentException("GroupNorm: input must be [N, C, ...], is " + java.util.Arrays.toString(x.shape()));
      }
      images = Math.toIntExact(x.size(0));
      channels = Math.toIntExact(x.size(1));
      if (channels % groups != 0 || gamma.length() != channels) {
        throw new IllegalArgumentException("GroupNorm: " + channels + " channels, " + groups + " groups, gamma of "
            + gamma.length() + " elements");
      }
      this.groups = groups;
      channelsPerGroup = channels / groups;
      positions = images * channels == 0 ? 0 : Math.toIntExact(x.length() / ((long) images * channels));
      groupSize = channelsPerGroup * positions;
    }
  }

  /**
   * One thread's group-sized scratch arrays, and reads and writes of FLOAT or DOUBLE arrays that
   * start at offset 0 of their buffer in c order, through the buffer's NIO view.
   */
  private static final class Block {

    private static final ThreadLocal<Block> LOCAL = new ThreadLocal<>();

    final double[] x;
    final double[] dy;
    final double[] out;
    final double[] t;
    private final float[] floats;
    private int size;

    private Block(int capacity) {
      x = new double[capacity];
      dy = new double[capacity];
      out = new double[capacity];
      t = new double[capacity];
      floats = new float[capacity];
    }

    /** This thread's block, for groups of {@code size} elements. */
    static Block local(int size) {
      Block block = LOCAL.get();
      if (block == null || block.x.length < size) {
        block = new Block(size);
        LOCAL.set(block);
      }
      block.size = size;
      return block;
    }

    /** a's elements [from, from + size) into dst, as doubles. */
    double[] read(INDArray a, long from, double[] dst) {
      int index = Math.toIntExact(from);
      if (a.dataType() == DataType.DOUBLE) {
        a.data().asNioDouble().get(index, dst, 0, size);
      } else {
        a.data().asNioFloat().get(index, floats, 0, size);
        for (int j = 0; j < size; j++) {
          dst[j] = floats[j];
        }
      }
      return dst;
    }

    /** out[0, size) into a's elements [from, from + size). */
    void write(INDArray a, long from) {
      int index = Math.toIntExact(from);
      if (a.dataType() == DataType.DOUBLE) {
        a.data().asNioDouble().put(index, out, 0, size);
      } else {
        for (int j = 0; j < size; j++) {
          floats[j] = (float) out[j];
        }
        a.data().asNioFloat().put(index, floats, 0, size);
      }
    }

    /**
     * a, or a copy of it that starts at offset 0 in c order (to read from, or to write into and
     * copy back with {@link #finish}).
     */
    static INDArray plainOrCopy(INDArray a) {
      if (a.dataType() != DataType.FLOAT && a.dataType() != DataType.DOUBLE) {
        throw new IllegalArgumentException("GroupNorm: FLOAT or DOUBLE arrays only, got " + a.dataType());
      }
      return plain(a) ? a : a.dup('c');
    }

    /** Copies {@code written} into {@code a} if it was a stand-in for it. */
    static void finish(INDArray written, INDArray a) {
      if (written != a) {
        a.assign(written);
      }
    }

    static double[] readAll(INDArray a) {
      return a.dup('c').data().asDouble();
    }

    static void assign(INDArray a, double[] values) {
      a.assign(Nd4j.createFromArray(values).castTo(a.dataType()).reshape(a.shape()));
    }

    private static boolean plain(INDArray a) {
      return a.ordering() == 'c' && a.elementWiseStride() == 1 && a.offset() == 0;
    }
  }
}
