package io.sparkgen.model.flow;

import io.sparkgen.model.Batch;
import io.sparkgen.model.Network;
import io.sparkgen.model.flow.FlowLayers.Flowed;
import io.sparkgen.model.nn.Forward;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.params.NamedArrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Glow's parameters and two graphs on them (Kingma &amp; Dhariwal 2018, Sec. 3, one level): the
 * density graph x -> squeeze -> K x (ActNorm, invertible 1x1 conv, affine coupling) -> z with
 * log p(x) = log N(z; 0, I) + sum_k log|det(dh_k / dh_{k-1})| (eq. 1-3), and the inverse graph
 * z -> x. x is the logit-space image ({@link Dequantization}).
 */
public final class FlowNetwork implements Network {

  static final String X = "x";
  static final String Y = "y";
  static final String Z = "z";
  /** Buffer: 1 once the ActNorm layers were initialised from data, 0 before. */
  static final String ACTNORM_INITIALISED = "actnorm_initialised";
  private static final double LOG_2PI = Math.log(2.0 * Math.PI);

  private final FlowConfig config;
  private final DataType type;
  private final NamedArrays parameters = NamedArrays.empty();
  private final NamedArrays buffers;
  final SameDiff density;
  final List<String> trainableNames;
  /** Mean negative log-likelihood of x in bits per dimension (logit space, without constants): the loss. */
  final String loss;
  final String logPx;
  final String logDet;
  final String z;
  private final List<String> actNormInputs = new ArrayList<>();
  private final SameDiff inverse;
  private final String x;

  public FlowNetwork(FlowConfig config, long seed, DataType type) {
    this(config, seed, type, NamedArrays.empty());
  }

  /** A network on existing buffers (the fixed permutations and signs of the 1x1 convolutions). */
  FlowNetwork(FlowConfig config, long seed, DataType type, NamedArrays buffers) {
    this.config = config;
    this.type = type;
    this.buffers = buffers;
    int c = (int) config.squeezedChannels();
    long hw = config.squeezedHeight() * config.squeezedWidth();
    for (int k = 0; k < config.steps(); k++) {
      FlowLayers.initInvConv(parameters, buffers, step(k) + "/invconv", c, seed, type);
      FlowLayers.initCoupling(parameters, step(k) + "/coupling", c, config.hiddenChannels(), type);
    }
    if (!buffers.contains(ACTNORM_INITIALISED)) {
      buffers.put(ACTNORM_INITIALISED, Nd4j.zeros(type, 1));
    }

    // Density graph.
    GraphBuilder g = new GraphBuilder(parameters, buffers, seed, type);
    long c0 = config.image().channels();
    long h0 = config.image().height();
    long w0 = config.image().width();
    SDVariable in = g.placeholder(X, config.image().batchShape(-1));
    SDVariable y = config.conditional() ? g.placeholder(Y, -1, config.numClasses()) : null;
    SDVariable h = FlowLayers.squeeze(in, c0, h0, w0);
    SDVariable perImage = null;
    SDVariable shared = null;
    for (int k = 0; k < config.steps(); k++) {
      actNormInputs.add(h.name());
      Flowed a = FlowLayers.actNorm(g, step(k) + "/actnorm", h, c, hw);
      Flowed w = FlowLayers.invConv(g, step(k) + "/invconv", a.y(), c, hw);
      Flowed s = FlowLayers.coupling(g, step(k) + "/coupling", w.y(), y, c, config.hiddenChannels(), config.numClasses());
      h = s.y();
      SDVariable constant = a.logDet().add(w.logDet());
      shared = shared == null ? constant : shared.add(constant);
      perImage = perImage == null ? s.logDet() : perImage.add(s.logDet());
    }
    SDVariable logDetVar = perImage.add(shared);
    SDVariable logPz = h.mul(h).add(LOG_2PI).sum(1, 2, 3).mul(-0.5);
    SDVariable logPxVar = logPz.add(logDetVar);
    SDVariable lossVar = logPxVar.mean().neg().div(config.image().dimensions() * Math.log(2.0));
    lossVar.markAsLoss();
    density = g.sd();
    trainableNames = List.copyOf(parameters.names());
    loss = lossVar.name();
    logPx = logPxVar.name();
    logDet = logDetVar.name();
    z = h.name();

    // Inverse graph; the 1x1 convolutions' inverse kernels are fed per call.
    GraphBuilder gi = new GraphBuilder(parameters, buffers, seed, type);
    SDVariable zi = gi.placeholder(Z, -1, c, config.squeezedHeight(), config.squeezedWidth());
    SDVariable yi = config.conditional() ? gi.placeholder(Y, -1, config.numClasses()) : null;
    SDVariable v = zi;
    for (int k = config.steps() - 1; k >= 0; k--) {
      v = FlowLayers.couplingInverse(gi, step(k) + "/coupling", v, yi, c, config.hiddenChannels(), config.numClasses());
      v = FlowLayers.invConvInverse(gi.sd(), v, gi.placeholder(inverseKernelName(k), 1, 1, c, c));
      v = FlowLayers.actNormInverse(gi, step(k) + "/actnorm", v, c);
    }
    inverse = gi.sd();
    x = FlowLayers.unsqueeze(v, c0, h0, w0).name();
    if (parameters.size() != trainableNames.size()) {
      throw new IllegalStateException("the inverse graph made parameters the density graph lacks: " + parameters.names());
    }
  }

  /** Names of the activations entering each ActNorm, in step order. */
  List<String> actNormInputs() {
    return List.copyOf(actNormInputs);
  }

  static String step(int k) {
    return "step" + k;
  }

  private static String inverseKernelName(int k) {
    return "inverse_kernel" + k;
  }

  public FlowConfig config() {
    return config;
  }

  DataType type() {
    return type;
  }

  @Override
  public NamedArrays parameters() {
    return parameters;
  }

  @Override
  public NamedArrays buffers() {
    return buffers;
  }

  public boolean actNormInitialised() {
    return buffers.get(ACTNORM_INITIALISED).getDouble(0) != 0.0;
  }

  /**
   * Glow's data-dependent initialisation (Sec. 3.1): layer by layer, each ActNorm's scale and bias
   * are set so that its output on {@code xLogit} has zero mean and unit variance per channel. Then
   * marks the network initialised (a buffer, so checkpoints carry it).
   */
  public void initialiseActNorm(INDArray xLogit, int[] labels) {
    Map<String, INDArray> in = inputs(X, xLogit, labels);
    for (int k = 0; k < config.steps(); k++) {
      INDArray h = Forward.run(density, in, actNormInputs.get(k)).get(actNormInputs.get(k));
      FlowLayers.initActNorm(parameters, step(k) + "/actnorm", h);
    }
    buffers.get(ACTNORM_INITIALISED).assign(1.0);
  }

  /** {z, log|det dz/dx| per image, log p(x) per image} for logit-space images. */
  public INDArray[] forward(INDArray xLogit, int[] labels) {
    Map<String, INDArray> out = Forward.run(density, inputs(X, xLogit, labels), z, logDet, logPx);
    return new INDArray[] {out.get(z), out.get(logDet), out.get(logPx)};
  }

  /** x = f^-1(z), logit space, [N, C, H, W]. */
  public INDArray inverse(INDArray zValue, int[] labels) {
    Map<String, INDArray> in = inputs(Z, zValue, labels);
    for (int k = 0; k < config.steps(); k++) {
      in.put(inverseKernelName(k), FlowLayers.inverseKernel(parameters, buffers, step(k) + "/invconv", type));
    }
    return Forward.run(inverse, in, x).get(x);
  }

  /** Shape of z for n images: [n, 4C, H/2, W/2]. */
  public long[] latentShape(long n) {
    return new long[] {n, config.squeezedChannels(), config.squeezedHeight(), config.squeezedWidth()};
  }

  Map<String, INDArray> inputs(String name, INDArray value, int[] labels) {
    Map<String, INDArray> in = new HashMap<>();
    in.put(name, value.castTo(type));
    if (config.conditional()) {
      in.put(Y, Batch.oneHot(labels, config.numClasses(), type));
    }
    return in;
  }
}
