package io.sparkgen.model.nn;

import java.util.List;
import java.util.stream.IntStream;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNorm;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNormBp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * y = x exp(log s) + b per channel of [N, C, ...] x (Glow's ActNorm, Kingma &amp; Dhariwal 2018,
 * Sec. 3.1) as one op forward and one backward computed here in Java. As SameDiff ops it was
 * exp, the gain broadcast to x's shape (zeros_like + add, see {@link Layers#mulBroadcast}), a
 * multiply and an add forward and about as many back: the flow's training step had 855 ops, 777
 * with this one, and each small op costs more outside its kernel than in it. Fused: ~0.06 ms
 * forward and ~0.17 ms backward for [64, 4, 14, 14] inside a flow step.
 *
 * <p>Carried in the graph as {@link GroupNorm} is: libnd4j's {@code layer_norm} with inputs x, log
 * s and b (its gradient op's outputs have the inputs' shapes), marked by its one dimension
 * argument {@value #MARKER}; {@link RecyclingSession} computes it, SameDiff's own session refuses
 * it (libnd4j rejects the dimension).
 */
final class ChannelAffine {

  /** The op's dimension argument: above GroupNorm's markers and any array rank. */
  static final int MARKER = 3_000_000;

  private ChannelAffine() {}

  /** x exp(logScale) + shift per channel; logScale and shift have C elements ([1, C, 1, 1]). */
  static SDVariable apply(SameDiff sd, SDVariable x, SDVariable logScale, SDVariable shift) {
    return new LayerNorm(sd, x, logScale, shift, true, MARKER).outputVariable();
  }

  /** Whether {@code op} is this op or its gradient. */
  static boolean is(DifferentialFunction op) {
    if (!(op instanceof LayerNorm) && !(op instanceof LayerNormBp)) {
      return false;
    }
    long[] args = ((DynamicCustomOp) op).iArgs();
    return args.length == 1 && args[0] == MARKER;
  }

  /** Runs the op ({@code layer_norm} or {@code layer_norm_bp}) on {@code context}'s arrays. */
  static void run(DifferentialFunction op, OpContext context) {
    List<INDArray> in = context.getInputArrays();
    List<INDArray> out = context.getOutputArrays();
    Layout l = new Layout(in.get(0), in.get(1), in.get(2));
    double[] scale = read(in.get(1));
    for (int c = 0; c < scale.length; c++) {
      scale[c] = Math.exp(scale[c]);
    }
    double[] shift = read(in.get(2));
    if (op instanceof LayerNorm) {
      forward(l, in.get(0), scale, shift, out.get(0));
    } else {
      backward(l, in.get(0), in.get(3), scale, out.get(0), out.get(1), out.get(2));
    }
  }

  /** y = x s + b, channel block by channel block. */
  private static void forward(Layout l, INDArray x, double[] scale, double[] shift, INDArray y) {
    int n = l.positions;
    INDArray source = plain(x);
    INDArray target = isPlain(y) ? y : Nd4j.createUninitialized(y.dataType(), y.shape());
    if (source.dataType() == DataType.FLOAT) {
      float[] v = Scratch.floats(0, l.length);
      source.data().asNioFloat().get(0, v, 0, l.length);
      blocks(l).forEach(i -> {
        float s = (float) scale[i % l.channels];
        float b = (float) shift[i % l.channels];
        for (int j = i * n; j < (i + 1) * n; j++) {
          v[j] = v[j] * s + b;
        }
      });
      target.data().asNioFloat().put(0, v, 0, l.length);
    } else {
      double[] v = read(source);
      blocks(l).forEach(i -> {
        double s = scale[i % l.channels];
        double b = shift[i % l.channels];
        for (int j = i * n; j < (i + 1) * n; j++) {
          v[j] = v[j] * s + b;
        }
      });
      target.data().asNioDouble().put(0, v);
    }
    if (target != y) {
      y.assign(target);
    }
  }

  /**
   * dL/dx = dL/dy s; dL/dlog s = sum(dL/dy x) s and dL/db = sum(dL/dy) over images and positions,
   * per image first, then summed over the images in a fixed order (the same result however the
   * blocks are spread over threads).
   */
  private static void backward(Layout l, INDArray x, INDArray gradOut, double[] scale,
      INDArray gradX, INDArray gradLogScale, INDArray gradShift) {
    int n = l.positions;
    double[] sumDyX = new double[l.images * l.channels];
    double[] sumDy = new double[l.images * l.channels];
    INDArray source = plain(x);
    INDArray upstream = plain(gradOut);
    INDArray target = isPlain(gradX) ? gradX : Nd4j.createUninitialized(gradX.dataType(), gradX.shape());
    if (source.dataType() == DataType.FLOAT) {
      float[] xs = Scratch.floats(0, l.length);
      float[] g = Scratch.floats(1, l.length);
      source.data().asNioFloat().get(0, xs, 0, l.length);
      upstream.data().asNioFloat().get(0, g, 0, l.length);
      blocks(l).forEach(i -> {
        float s = (float) scale[i % l.channels];
        double dyx = 0;
        double dy = 0;
        for (int j = i * n; j < (i + 1) * n; j++) {
          dyx += g[j] * xs[j];
          dy += g[j];
          g[j] *= s;
        }
        sumDyX[i] = dyx;
        sumDy[i] = dy;
      });
      target.data().asNioFloat().put(0, g, 0, l.length);
    } else {
      double[] xs = read(source);
      double[] g = read(upstream);
      blocks(l).forEach(i -> {
        double s = scale[i % l.channels];
        double dyx = 0;
        double dy = 0;
        for (int j = i * n; j < (i + 1) * n; j++) {
          dyx += g[j] * xs[j];
          dy += g[j];
          g[j] *= s;
        }
        sumDyX[i] = dyx;
        sumDy[i] = dy;
      });
      target.data().asNioDouble().put(0, g);
    }
    if (target != gradX) {
      gradX.assign(target);
    }
    double[] dLogScale = GroupNorm.sumOverImages(sumDyX, l.images, l.channels);
    double[] dShift = GroupNorm.sumOverImages(sumDy, l.images, l.channels);
    for (int c = 0; c < l.channels; c++) {
      dLogScale[c] *= scale[c];
    }
    write(gradLogScale, dLogScale);
    write(gradShift, dShift);
  }

  /** Each thread's float work arrays, kept between calls (the flow runs 16 of these per step). */
  private static final class Scratch {
    private static final ThreadLocal<float[][]> ARRAYS = ThreadLocal.withInitial(() -> new float[2][0]);

    static float[] floats(int which, int length) {
      float[][] arrays = ARRAYS.get();
      if (arrays[which].length < length) {
        arrays[which] = new float[length];
      }
      return arrays[which];
    }
  }

  /** The (image, channel) blocks; over threads when there is enough work. */
  private static IntStream blocks(Layout l) {
    IntStream blocks = IntStream.range(0, l.images * l.channels);
    return (long) l.images * l.channels * l.positions >= 1 << 18 ? blocks.parallel() : blocks;
  }

  /** a's elements in c order, as doubles (one bulk copy for a plain FLOAT or DOUBLE array). */
  private static double[] read(INDArray a) {
    INDArray p = plain(a);
    double[] values = new double[Math.toIntExact(p.length())];
    if (p.dataType() == DataType.DOUBLE) {
      p.data().asNioDouble().get(0, values);
    } else {
      float[] floats = new float[values.length];
      p.data().asNioFloat().get(0, floats);
      for (int j = 0; j < floats.length; j++) {
        values[j] = floats[j];
      }
    }
    return values;
  }

  /** values (c order) into a. */
  private static void write(INDArray a, double[] values) {
    INDArray target = isPlain(a) ? a : Nd4j.createUninitialized(a.dataType(), a.shape());
    if (target.dataType() == DataType.DOUBLE) {
      target.data().asNioDouble().put(0, values);
    } else if (target.dataType() == DataType.FLOAT) {
      float[] floats = new float[values.length];
      for (int j = 0; j < floats.length; j++) {
        floats[j] = (float) values[j];
      }
      target.data().asNioFloat().put(0, floats);
    } else {
      throw new IllegalArgumentException("ActNorm: FLOAT or DOUBLE arrays only, got " + a.dataType());
    }
    if (target != a) {
      a.assign(target);
    }
  }

  /** a if it holds its elements from offset 0 in c order, else such a copy. */
  private static INDArray plain(INDArray a) {
    if (a.dataType() != DataType.FLOAT && a.dataType() != DataType.DOUBLE) {
      throw new IllegalArgumentException("ActNorm: FLOAT or DOUBLE arrays only, got " + a.dataType());
    }
    return isPlain(a) ? a : a.dup('c');
  }

  private static boolean isPlain(INDArray a) {
    return a.ordering() == 'c' && a.elementWiseStride() == 1 && a.offset() == 0 && !a.isView();
  }

  /** Sizes of a call, checked. */
  private static final class Layout {
    final int length;
    final int images;
    final int channels;
    final int positions;

    Layout(INDArray x, INDArray logScale, INDArray shift) {
      if (x.rank() < 2) {
        throw new IllegalArgumentException("ActNorm: x must be [N, C, ...], got shape " + java.util.Arrays.toString(x.shape()));
      }
      length = Math.toIntExact(x.length()); // element indices are ints
      images = Math.toIntExact(x.size(0));
      channels = Math.toIntExact(x.size(1));
      positions = Math.toIntExact(x.length() / Math.max(1, (long) images * channels));
      if (logScale.length() != channels || shift.length() != channels) {
        throw new IllegalArgumentException("ActNorm: " + channels + " channels but log s has " + logScale.length()
            + " and b " + shift.length() + " elements");
      }
    }
  }
}
