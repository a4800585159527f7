package io.sparkgen.model.diffusion;

import io.sparkgen.model.Network;
import io.sparkgen.model.nn.Forward;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.params.NamedArrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The UNet's parameters and two graphs on them: training, L_simple = mean ||eps - eps_theta(x_t,
 * t)||^2 (Ho et al. 2020, eq. 14), and prediction eps_theta(x_t, t, y).
 */
public final class DiffusionNetwork implements Network {

  static final String X = "x_t";
  static final String T = "t_features";
  static final String Y = "y";
  static final String NOISE = "noise";

  private final DiffusionConfig config;
  private final DataType type;
  private final NamedArrays parameters = NamedArrays.empty();
  final SameDiff train;
  final List<String> trainableNames;
  final String loss;
  private final SameDiff predict;
  private final String epsilon;

  public DiffusionNetwork(DiffusionConfig config, long seed, DataType type) {
    this.config = config;
    this.type = type;
    GraphBuilder g = new GraphBuilder(parameters, NamedArrays.empty(), seed, type);
    SDVariable eps = UNet.epsilon(g, config, g.placeholder(X, config.image().batchShape(-1)),
        g.placeholder(T, -1, config.channels().get(0)),
        config.conditional() ? g.placeholder(Y, -1, config.numClasses()) : null);
    SDVariable lossVar = eps.squaredDifference(g.placeholder(NOISE, config.image().batchShape(-1))).mean();
    lossVar.markAsLoss();
    train = g.sd();
    trainableNames = List.copyOf(parameters.names());
    loss = lossVar.name();

    GraphBuilder p = new GraphBuilder(parameters, NamedArrays.empty(), seed, type);
    epsilon = UNet.epsilon(p, config, p.placeholder(X, config.image().batchShape(-1)),
        p.placeholder(T, -1, config.channels().get(0)),
        config.conditional() ? p.placeholder(Y, -1, config.numClasses()) : null).name();
    predict = p.sd();
  }

  public DiffusionConfig config() {
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
    return NamedArrays.empty();
  }

  /**
   * eps_theta(x_t, t, y) for images [N, C, H, W] at timesteps t (one per image); {@code labels}
   * null for an unconditional model, and -1 for "no label" (classifier-free guidance).
   */
  public INDArray epsilon(INDArray x, int[] t, int[] labels) {
    return Forward.run(predict, inputs(x, t, labels), epsilon).get(epsilon);
  }

  Map<String, INDArray> inputs(INDArray x, int[] t, int[] labels) {
    if (t.length != x.size(0)) {
      throw new IllegalArgumentException(t.length + " timesteps for " + x.size(0) + " images");
    }
    Map<String, INDArray> in = new HashMap<>();
    in.put(X, x);
    in.put(T, Conditioning.timeFeatures(t, config.channels().get(0), type));
    if (config.conditional()) {
      in.put(Y, Conditioning.labelRows(labels, config.numClasses(), type));
    }
    return in;
  }

  /** Convolutions and dense layers, forward and backward (3x forward); normalisation and the loss are not counted. */
  @Override
  public double trainingFlopsPerImage() {
    DiffusionConfig c = config;
    List<Integer> ch = c.channels();
    double e = c.timeEmbeddingDim();
    double flops = 2 * (ch.get(0) * e + e * e) + (c.conditional() ? 2 * c.numClasses() * e : 0);
    double hw = (double) c.image().height() * c.image().width();
    flops += conv(hw, c.image().channels(), ch.get(0), 9);
    double in = ch.get(0);
    for (int level = 0; level < ch.size(); level++) {
      double out = ch.get(level);
      flops += residual(hw, in, out, e);
      in = out;
      if (level + 1 < ch.size()) {
        hw /= 4;
        flops += conv(hw, out, out, 9);
      }
    }
    flops += residual(hw, in, in, e);
    for (int level = ch.size() - 1; level >= 0; level--) {
      double out = ch.get(level);
      flops += residual(hw, in + out, out, e);
      in = out;
      if (level > 0) {
        hw *= 4;
        flops += conv(hw, out, out, 9);
      }
    }
    flops += conv(hw, in, c.image().channels(), 9);
    return 3 * flops;
  }

  private static double residual(double hw, double in, double out, double e) {
    return conv(hw, in, out, 9) + conv(hw, out, out, 9) + 2 * e * out + (in == out ? 0 : conv(hw, in, out, 1));
  }

  private static double conv(double hw, double in, double out, double k2) {
    return 2 * hw * in * out * k2;
  }
}
