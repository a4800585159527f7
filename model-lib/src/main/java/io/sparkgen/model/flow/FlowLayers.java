package io.sparkgen.model.flow;

import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.nn.Init;
import io.sparkgen.model.nn.Layers;
import io.sparkgen.model.nn.Layers.Padding;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.random.Seeds;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.inverse.InvertMatrix;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The invertible layers of Glow (Kingma &amp; Dhariwal 2018, Table 1), in the paper's symbols, as
 * SameDiff fragments on NCHW tensors: each forward returns y and log|det(dy/dx)| (per image [N], or
 * a scalar where it is the same for every image), each inverse returns x. Parameters that need a
 * non-default initialisation are put in the store by {@code init*} before a graph is built; the
 * {@link GraphBuilder} then uses those arrays by reference.
 */
final class FlowLayers {

  /** Glow's coupling scale s = sigmoid(h + 2) (openai/glow model.py): s ~ 0.88 at a zero NN output. */
  static final double SCALE_SHIFT = 2.0;

  /** Glow's ActNorm initialisation guard: log s = -log(std + 1e-6). */
  static final double ACTNORM_EPSILON = 1e-6;

  private FlowLayers() {}

  /** A layer's output and its log-determinant. */
  record Flowed(SDVariable y, SDVariable logDet) {}

  // ---- squeeze (RealNVP, Sec. 3.6) ----

  /** [N, C, H, W] -> [N, 4C, H/2, W/2]; channel c * 4 + 2 dy + dx holds x[c, 2i + dy, 2j + dx]. */
  static SDVariable squeeze(SDVariable x, long c, long h, long w) {
    return x.reshape(-1, c, h / 2, 2, w / 2, 2).permute(0, 1, 3, 5, 2, 4).reshape(-1, 4 * c, h / 2, w / 2);
  }

  /** Inverse of {@link #squeeze}; c, h, w are the unsqueezed sizes. */
  static SDVariable unsqueeze(SDVariable y, long c, long h, long w) {
    return y.reshape(-1, c, 2, 2, h / 2, w / 2).permute(0, 1, 4, 2, 5, 3).reshape(-1, c, h, w);
  }

  // ---- ActNorm (Glow, Sec. 3.1) ----

  /** y = s (.) x + b per channel, s = exp(log s); log|det| = h w sum(log |s|). */
  static Flowed actNorm(GraphBuilder g, String name, SDVariable x, long c, long hw) {
    SDVariable logS = g.param(name + "/log_s", Init.ZEROS, 1, c, 1, 1);
    SDVariable b = g.param(name + "/b", Init.ZEROS, 1, c, 1, 1);
    SDVariable y = Layers.channelAffine(g.sd(), x, logS, b);
    return new Flowed(y, logS.sum().mul(hw));
  }

  /** x = (y - b) / s. */
  static SDVariable actNormInverse(GraphBuilder g, String name, SDVariable y, long c) {
    SDVariable logS = g.param(name + "/log_s", Init.ZEROS, 1, c, 1, 1);
    SDVariable b = g.param(name + "/b", Init.ZEROS, 1, c, 1, 1);
    return y.sub(b).mul(g.sd().math().exp(logS.neg()));
  }

  /**
   * Data-dependent initialisation on activations x [N, C, H, W] (double): the post-ActNorm
   * channels get zero mean and unit variance over the batch and the positions.
   */
  static void initActNorm(NamedArrays parameters, String name, INDArray x) {
    INDArray xd = x.castTo(DataType.DOUBLE);
    INDArray mean = xd.mean(0, 2, 3);
    INDArray std = xd.std(false, 0, 2, 3);
    long c = mean.length();
    INDArray logS = Nd4j.create(DataType.DOUBLE, 1, c, 1, 1);
    INDArray b = Nd4j.create(DataType.DOUBLE, 1, c, 1, 1);
    for (int i = 0; i < c; i++) {
      double ls = -Math.log(std.getDouble(i) + ACTNORM_EPSILON);
      logS.putScalar(new long[] {0, i, 0, 0}, ls);
      b.putScalar(new long[] {0, i, 0, 0}, -mean.getDouble(i) * Math.exp(ls));
    }
    INDArray targetLogS = parameters.get(name + "/log_s");
    INDArray targetB = parameters.get(name + "/b");
    targetLogS.assign(logS.castTo(targetLogS.dataType()));
    targetB.assign(b.castTo(targetB.dataType()));
  }

  // ---- Invertible 1x1 convolution, LU-decomposed (Glow, Sec. 3.2, eq. 10) ----

  /**
   * W = P L (U + diag(sign(s) exp(log|s|))), from a random rotation. P and sign(s) are fixed
   * (buffers); L (strictly lower part used), U (strictly upper part used) and log|s| are trained.
   */
  static void initInvConv(NamedArrays parameters, NamedArrays buffers, String name, int c, long seed, DataType type) {
    if (parameters.contains(name + "/L")) {
      return;
    }
    Lu lu = Lu.decompose(Lu.randomRotation(new Rng(Seeds.forParameter(seed, name + "/W")), c));
    double[][] lower = new double[c][c];
    double[][] upper = new double[c][c];
    double[] logS = new double[c];
    double[] sign = new double[c];
    for (int i = 0; i < c; i++) {
      for (int j = 0; j < c; j++) {
        if (j < i) {
          lower[i][j] = lu.l[i][j];
        } else if (j > i) {
          upper[i][j] = lu.u[i][j];
        }
      }
      logS[i] = Math.log(Math.abs(lu.u[i][i]));
      sign[i] = Math.signum(lu.u[i][i]);
    }
    parameters.put(name + "/L", plain(Nd4j.createFromArray(lower), type));
    parameters.put(name + "/U", plain(Nd4j.createFromArray(upper), type));
    parameters.put(name + "/log_s", plain(Nd4j.createFromArray(logS).reshape(1, c), type));
    if (!buffers.contains(name + "/P")) {
      buffers.put(name + "/P", plain(Nd4j.createFromArray(lu.p), type));
      buffers.put(name + "/sign_s", plain(Nd4j.createFromArray(sign).reshape(1, c), type));
    }
  }

  /** z_ij = W x_ij at every position; log|det| = h w sum(log|s|). */
  static Flowed invConv(GraphBuilder g, String name, SDVariable x, int c, long hw) {
    SameDiff sd = g.sd();
    SDVariable lower = g.param(name + "/L", Init.ZEROS, c, c);
    SDVariable upper = g.param(name + "/U", Init.ZEROS, c, c);
    SDVariable logS = g.param(name + "/log_s", Init.ZEROS, 1, c);
    SDVariable p = g.buffer(name + "/P", Double.NaN, c, c);
    SDVariable sign = g.buffer(name + "/sign_s", Double.NaN, 1, c);
    INDArray eyeArray = Nd4j.eye(c).castTo(g.type());
    SDVariable eye = sd.constant(name + "/eye", eyeArray);
    SDVariable lowerMask = sd.constant(name + "/mask_l", mask(c, true, g.type()));
    SDVariable upperMask = sd.constant(name + "/mask_u", mask(c, false, g.type()));
    SDVariable l = lower.mul(lowerMask).add(eye);
    SDVariable u = upper.mul(upperMask).add(eye.mul(sign.mul(sd.math().exp(logS))));
    SDVariable w = p.mmul(l).mmul(u);
    // Conv weights are [kH, kW, in, out]: kernel[0, 0, i, o] = W[o, i].
    SDVariable kernel = w.permute(1, 0).reshape(1, 1, c, c);
    return new Flowed(conv1x1(sd, x, kernel), logS.sum().mul(hw));
  }

  /** x_ij = W^-1 z_ij, with the kernel of W^-1 from {@link #inverseKernel} fed as a placeholder. */
  static SDVariable invConvInverse(SameDiff sd, SDVariable y, SDVariable inverseKernel) {
    return conv1x1(sd, y, inverseKernel);
  }

  /** W from the stored arrays, in double precision (as the graph computes it). */
  static INDArray weight(NamedArrays parameters, NamedArrays buffers, String name) {
    INDArray lower = parameters.get(name + "/L").castTo(DataType.DOUBLE);
    int c = (int) lower.size(0);
    INDArray l = lower.mul(mask(c, true, DataType.DOUBLE)).addi(Nd4j.eye(c).castTo(DataType.DOUBLE));
    INDArray s = buffers.get(name + "/sign_s").castTo(DataType.DOUBLE)
        .mul(Transforms.exp(parameters.get(name + "/log_s").castTo(DataType.DOUBLE), true));
    INDArray u = parameters.get(name + "/U").castTo(DataType.DOUBLE).mul(mask(c, false, DataType.DOUBLE))
        .addi(Nd4j.diag(s.reshape(c)));
    return buffers.get(name + "/P").castTo(DataType.DOUBLE).mmul(l).mmul(u);
  }

  /** The [1, 1, C, C] kernel of W^-1. */
  static INDArray inverseKernel(NamedArrays parameters, NamedArrays buffers, String name, DataType type) {
    INDArray w = weight(parameters, buffers, name);
    INDArray inv = InvertMatrix.invert(w, false);
    return inv.transpose().dup('c').reshape(1, 1, w.size(0), w.size(0)).castTo(type);
  }

  private static SDVariable conv1x1(SameDiff sd, SDVariable x, SDVariable kernel) {
    Conv2DConfig config =
        Conv2DConfig.builder().kH(1).kW(1).sH(1).sW(1).paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).build();
    return sd.cnn().conv2d(x, kernel, config);
  }

  private static INDArray mask(int c, boolean strictlyLower, DataType type) {
    INDArray m = Nd4j.zeros(DataType.DOUBLE, c, c);
    for (int i = 0; i < c; i++) {
      for (int j = 0; j < c; j++) {
        if (strictlyLower ? j < i : j > i) {
          m.putScalar(i, j, 1.0);
        }
      }
    }
    return m.castTo(type);
  }

  // ---- Affine coupling (RealNVP, Sec. 3.3; Glow, Table 1 and Sec. 3.3) ----

  /** Zero-initialises the NN's last convolution, so that every coupling starts as y_a = sigmoid(2) x_a. */
  static void initCoupling(NamedArrays parameters, String name, int c, int hidden, DataType type) {
    String last = name + "/nn/conv2";
    if (!parameters.contains(last + "/W")) {
      parameters.put(last + "/W", Nd4j.zeros(type, 3, 3, hidden, 2L * (c / 2)));
      parameters.put(last + "/b", Nd4j.zeros(type, 1, 2L * (c / 2), 1, 1));
    }
  }

  /**
   * NN(x_b) [+ label]: conv 3x3 -> ReLU -> conv 1x1 -> ReLU -> conv 3x3 (zero-initialised), 'same'
   * padding; returns [N, 2 c_a, H, W]. A label embedding e(y) is added to the first hidden layer.
   */
  static SDVariable nn(GraphBuilder g, String name, SDVariable xb, SDVariable oneHot, int c, int hidden, int classes) {
    SameDiff sd = g.sd();
    int ca = c / 2;
    SDVariable h = Layers.conv2d(g, name + "/nn/conv0", xb, c - ca, hidden, 3, 1, Padding.SAME, true);
    if (oneHot != null) {
      h = h.add(Layers.embedding(g, name + "/nn/label", oneHot, classes, hidden).reshape(-1, hidden, 1, 1));
    }
    h = sd.nn().relu(h, 0.0);
    h = sd.nn().relu(Layers.conv2d(g, name + "/nn/conv1", h, hidden, hidden, 1, 1, Padding.SAME, true), 0.0);
    return Layers.conv2d(g, name + "/nn/conv2", h, hidden, 2L * ca, 3, 1, Padding.SAME, true);
  }

  /**
   * x_a, x_b = split(x); (h, t) = NN(x_b); s = sigmoid(h + 2); y_a = s (.) x_a + t; y_b = x_b;
   * log|det| = sum(log s), with log s = -softplus(-(h + 2)).
   */
  static Flowed coupling(GraphBuilder g, String name, SDVariable x, SDVariable oneHot, int c, int hidden, int classes) {
    SameDiff sd = g.sd();
    long ca = c / 2;
    SDVariable xa = channels(x, 0, ca);
    SDVariable xb = channels(x, ca, c);
    SDVariable out = nn(g, name, xb, oneHot, c, hidden, classes);
    SDVariable pre = channels(out, 0, ca).add(SCALE_SHIFT);
    SDVariable t = channels(out, ca, 2 * ca);
    SDVariable ya = xa.mul(sd.nn().sigmoid(pre)).add(t);
    SDVariable logS = sd.nn().softplus(pre.neg()).neg();
    return new Flowed(sd.concat(1, ya, xb), logS.sum(1, 2, 3));
  }

  /** x_b = y_b; (h, t) = NN(y_b); x_a = (y_a - t) / s. */
  static SDVariable couplingInverse(GraphBuilder g, String name, SDVariable y, SDVariable oneHot, int c, int hidden, int classes) {
    SameDiff sd = g.sd();
    long ca = c / 2;
    SDVariable ya = channels(y, 0, ca);
    SDVariable yb = channels(y, ca, c);
    SDVariable out = nn(g, name, yb, oneHot, c, hidden, classes);
    SDVariable pre = channels(out, 0, ca).add(SCALE_SHIFT);
    SDVariable t = channels(out, ca, 2 * ca);
    return sd.concat(1, ya.sub(t).div(sd.nn().sigmoid(pre)), yb);
  }

  private static SDVariable channels(SDVariable x, long from, long to) {
    return x.get(SDIndex.all(), SDIndex.interval(from, to), SDIndex.all(), SDIndex.all());
  }

  private static INDArray plain(INDArray a, DataType type) {
    // A view would be copied by SameDiff and then miss in-place updates: store a plain array.
    return a.castTo(type).dup('c');
  }
}
