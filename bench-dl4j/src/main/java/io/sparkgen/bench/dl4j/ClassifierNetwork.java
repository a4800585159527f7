package io.sparkgen.bench.dl4j;

import io.sparkgen.model.Network;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.nn.Layers;
import io.sparkgen.model.nn.Layers.Padding;
import io.sparkgen.model.params.NamedArrays;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The classifier's parameters and its training graph, built with the layers of {@code Dcgan}'s
 * discriminator: x -> [conv_i -> LeakyReLU -> x mask_i]* -> flatten -> Dense -> softmax cross-entropy
 * against one-hot y. Dropout masks are placeholders drawn outside the graph, as in the GAN.
 */
final class ClassifierNetwork implements Network {

  static final String X = "x";
  static final String Y = "y";
  static final String MASK = "mask";

  final ClassifierConfig config;
  final SameDiff graph;
  final String logits;
  final String loss;
  final String accuracy;
  final List<String> trainable;
  private final NamedArrays parameters = NamedArrays.empty();

  ClassifierNetwork(ClassifierConfig config, long seed) {
    this.config = config;
    GraphBuilder g = new GraphBuilder(parameters, NamedArrays.empty(), seed, DataType.FLOAT);
    SDVariable h = g.placeholder(X, config.image().batchShape(-1));
    long in = config.image().channels();
    for (int i = 0; i < config.channels().size(); i++) {
      long out = config.channels().get(i);
      h = Layers.conv2d(g, "conv" + i, h, in, out, config.kernelSize(), 2, Padding.SAME, true);
      h = Layers.leakyRelu(g.sd(), h, config.leakyReluSlope());
      h = Layers.dropout(h, g.placeholder(MASK + i, maskShape(i, -1)));
      in = out;
    }
    SDVariable scores = Layers.dense(g, "logits", Layers.flatten(h, config.denseInputs()), config.denseInputs(),
        config.numClasses(), true);
    SDVariable y = g.placeholder(Y, -1, config.numClasses());
    SDVariable lossVar = g.sd().loss().softmaxCrossEntropy(y, scores, null);
    lossVar.markAsLoss();
    SDVariable correct = scores.argmax(1).eq(y.argmax(1)).castTo(DataType.FLOAT).mean();
    this.graph = g.sd();
    this.logits = scores.name();
    this.loss = lossVar.name();
    this.accuracy = correct.name();
    this.trainable = List.copyOf(parameters.names());
  }

  /** [n, channels_i, h_i, w_i]: the dropout mask after convolution i. */
  long[] maskShape(int layer, long n) {
    long[] hw = config.spatialAfter(layer);
    return new long[] {n, config.channels().get(layer), hw[0], hw[1]};
  }

  List<long[]> maskShapes(int n) {
    List<long[]> shapes = new ArrayList<>();
    for (int i = 0; i < config.channels().size(); i++) {
      shapes.add(maskShape(i, n));
    }
    return shapes;
  }

  @Override
  public NamedArrays parameters() {
    return parameters;
  }

  @Override
  public NamedArrays buffers() {
    return NamedArrays.empty();
  }

  /** 3x the forward multiply-adds x 2 of the convolutions and the Dense layer, as the families count. */
  @Override
  public double trainingFlopsPerImage() {
    double k2 = (double) config.kernelSize() * config.kernelSize();
    double in = config.image().channels();
    double flops = 0;
    for (int i = 0; i < config.channels().size(); i++) {
      long[] hw = config.spatialAfter(i);
      flops += 2.0 * hw[0] * hw[1] * in * config.channels().get(i) * k2;
      in = config.channels().get(i);
    }
    flops += 2.0 * config.denseInputs() * config.numClasses();
    return 3 * flops;
  }
}
