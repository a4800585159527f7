package io.sparkgen.model.gan;

import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.nn.Init;
import io.sparkgen.model.nn.InputGradients;
import io.sparkgen.model.nn.Layers;
import io.sparkgen.model.nn.Layers.Padding;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * TensorFlow's DCGAN tutorial architecture. G: Dense (no bias) -> BN -> LeakyReLU -> reshape ->
 * [ConvTranspose (no bias) -> BN -> LeakyReLU]* -> ConvTranspose (no bias) -> tanh. D: [Conv s2 ->
 * LeakyReLU -> Dropout]* -> Dense 1, and D's input gradient as a graph for WGAN-GP. The tutorial reshapes to NHWC (7, 7, 256); here NCHW, which
 * permutes the Dense units and changes nothing else.
 */
public final class Dcgan implements GanArchitecture {

  private final GanConfig c;

  public Dcgan(GanConfig config) {
    this.c = config;
  }

  @Override
  public int noiseDim() {
    return c.noiseDim();
  }

  @Override
  public int numClasses() {
    return c.numClasses();
  }

  @Override
  public double dropoutKeep() {
    return 1.0 - c.dropoutRate();
  }

  @Override
  public SDVariable generator(GraphBuilder g, SDVariable z, SDVariable y, boolean training, List<Layers.RunningAverage> averages) {
    SameDiff sd = g.sd();
    List<Integer> ch = c.generatorChannels();
    int up = ch.size() - 1;
    long h0 = c.image().height() >> up;
    long w0 = c.image().width() >> up;
    long in = c.noiseDim();
    SDVariable h = z;
    if (c.conditional()) {
      h = sd.concat(1, h, Layers.embedding(g, GENERATOR + "label", y, c.numClasses(), c.labelEmbeddingDim()));
      in += c.labelEmbeddingDim();
    }
    long features = ch.get(0) * h0 * w0;
    h = Layers.dense(g, GENERATOR + "dense", h, in, features, false);
    h = norm(g, GENERATOR + "bn0", h, training, averages, new long[] {1, features}, 0);
    h = Layers.leakyRelu(sd, h, c.leakyReluSlope()).reshape(-1, ch.get(0), h0, w0);
    for (int i = 1; i < ch.size(); i++) {
      int stride = i == 1 ? 1 : 2;
      h = Layers.deconv2d(g, GENERATOR + "deconv" + i, h, ch.get(i - 1), ch.get(i), c.kernelSize(), stride, false);
      h = norm(g, GENERATOR + "bn" + i, h, training, averages, new long[] {1, ch.get(i), 1, 1}, 0, 2, 3);
      h = Layers.leakyRelu(sd, h, c.leakyReluSlope());
    }
    h = Layers.deconv2d(g, GENERATOR + "out", h, ch.get(ch.size() - 1), c.image().channels(), c.kernelSize(), 2, false);
    return sd.nn().tanh(h);
  }

  @Override
  public SDVariable discriminator(GraphBuilder g, SDVariable x, SDVariable y, String tag) {
    return critic(g, x, y, tag).logits();
  }

  /**
   * D's backward pass from dD/dlogit = 1, layer by layer in reverse: Dense 1 transposed, then per
   * convolution its dropout mask, LeakyReLU's derivative at the pre-activation and the transposed
   * convolution; the label channel (conditional D) is cut off at the end.
   */
  @Override
  public SDVariable discriminatorInputGradient(GraphBuilder g, SDVariable x, SDVariable y, String tag) {
    SameDiff sd = g.sd();
    Critic d = critic(g, x, y, tag);
    SDVariable dh = InputGradients.dense(sd.onesLike(d.logits()), d.outWeights());
    int last = d.layers().size() - 1;
    dh = dh.reshape(-1, d.layers().get(last).out(), d.layers().get(last).outHeight(), d.layers().get(last).outWidth());
    for (int i = last; i >= 0; i--) {
      ConvLayer layer = d.layers().get(i);
      dh = InputGradients.dropout(dh, layer.mask());
      dh = InputGradients.leakyRelu(sd, dh, layer.preActivation(), c.leakyReluSlope());
      dh = InputGradients.conv2d(sd, dh, layer.weights(), c.kernelSize(), 2, Padding.SAME, layer.inHeight(), layer.inWidth());
    }
    if (c.conditional()) {
      dh = dh.get(SDIndex.all(), SDIndex.interval(0, c.image().channels()), SDIndex.all(), SDIndex.all());
    }
    return dh;
  }

  /** One convolution block of D as its backward pass needs it. */
  private record ConvLayer(
      SDVariable weights, SDVariable preActivation, SDVariable mask, long inHeight, long inWidth, long out,
      long outHeight, long outWidth) {}

  private record Critic(SDVariable logits, List<ConvLayer> layers, SDVariable outWeights) {}

  private Critic critic(GraphBuilder g, SDVariable x, SDVariable y, String tag) {
    SameDiff sd = g.sd();
    long height = c.image().height();
    long width = c.image().width();
    long in = c.image().channels();
    SDVariable h = x;
    if (c.conditional()) {
      // Label -> embedding -> Dense(H*W) -> one extra input channel.
      SDVariable e = Layers.embedding(g, DISCRIMINATOR + "label", y, c.numClasses(), c.labelEmbeddingDim());
      SDVariable map = Layers.dense(g, DISCRIMINATOR + "label_map", e, c.labelEmbeddingDim(), height * width, true);
      h = sd.concat(1, h, map.reshape(-1, 1, height, width));
      in += 1;
    }
    List<Integer> ch = c.discriminatorChannels();
    List<ConvLayer> layers = new ArrayList<>();
    for (int i = 0; i < ch.size(); i++) {
      String name = DISCRIMINATOR + "conv" + i;
      SDVariable a = Layers.conv2d(g, name, h, in, ch.get(i), c.kernelSize(), 2, Padding.SAME, true);
      SDVariable mask = g.placeholder(tag + "/mask" + i, maskShape(i, -1));
      h = Layers.dropout(Layers.leakyRelu(sd, a, c.leakyReluSlope()), mask);
      SDVariable w = g.param(name + "/W", Init.GLOROT_UNIFORM, c.kernelSize(), c.kernelSize(), in, ch.get(i));
      long outHeight = (height + 1) / 2;
      long outWidth = (width + 1) / 2;
      layers.add(new ConvLayer(w, a, mask, height, width, ch.get(i), outHeight, outWidth));
      in = ch.get(i);
      height = outHeight;
      width = outWidth;
    }
    long features = in * height * width;
    SDVariable logits = Layers.dense(g, DISCRIMINATOR + "out", Layers.flatten(h, features), features, 1, true);
    return new Critic(logits, layers, g.param(DISCRIMINATOR + "out/W", Init.GLOROT_UNIFORM, features, 1));
  }

  @Override
  public double generatorFlopsPerImage() {
    List<Integer> ch = c.generatorChannels();
    int up = ch.size() - 1;
    double h = c.image().height() >> up;
    double w = c.image().width() >> up;
    double k2 = (double) c.kernelSize() * c.kernelSize();
    double in = c.noiseDim() + (c.conditional() ? c.labelEmbeddingDim() : 0);
    double flops = 2 * in * ch.get(0) * h * w + (c.conditional() ? 2.0 * c.numClasses() * c.labelEmbeddingDim() : 0);
    for (int i = 1; i <= ch.size(); i++) {
      // A transposed convolution does one k x k multiply-add per input pixel and channel pair.
      double out = i < ch.size() ? ch.get(i) : c.image().channels();
      flops += 2 * h * w * ch.get(i - 1) * out * k2;
      if (i > 1) {
        h *= 2;
        w *= 2;
      }
    }
    return flops;
  }

  @Override
  public double discriminatorFlopsPerImage() {
    double h = c.image().height();
    double w = c.image().width();
    double k2 = (double) c.kernelSize() * c.kernelSize();
    double in = c.image().channels();
    double flops = 0;
    if (c.conditional()) {
      flops += 2 * c.labelEmbeddingDim() * (c.numClasses() + h * w);
      in += 1;
    }
    for (int out : c.discriminatorChannels()) {
      h = Math.ceil(h / 2);
      w = Math.ceil(w / 2);
      flops += 2 * h * w * in * out * k2;
      in = out;
    }
    return flops + 2 * in * h * w;
  }

  @Override
  public List<long[]> dropoutMaskShapes(int n) {
    List<long[]> shapes = new ArrayList<>();
    for (int i = 0; i < c.discriminatorChannels().size(); i++) {
      shapes.add(maskShape(i, n));
    }
    return shapes;
  }

  private long[] maskShape(int layer, long n) {
    long height = c.image().height();
    long width = c.image().width();
    for (int i = 0; i <= layer; i++) {
      height = (height + 1) / 2;
      width = (width + 1) / 2;
    }
    return new long[] {n, c.discriminatorChannels().get(layer), height, width};
  }

  private SDVariable norm(
      GraphBuilder g, String name, SDVariable h, boolean training, List<Layers.RunningAverage> averages, long[] shape,
      int... axes) {
    Layers.BatchNorm bn = Layers.batchNorm(g, name, h, training, c.batchNormEpsilon(), shape, axes);
    if (training) {
      averages.addAll(bn.runningAverages(c.batchNormMomentum()));
    }
    return bn.y();
  }
}
