package io.sparkgen.model.vae;

import io.sparkgen.model.Batch;
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
import org.nd4j.linalg.factory.Nd4j;

/**
 * The VAE's parameters and three graphs on them: training (negative ELBO with the
 * reparameterisation z = mu + sigma * eps, Kingma &amp; Welling 2014 Sec. 2.4), encoder, decoder.
 */
public final class VaeNetwork implements Network {

  static final String X = "x";
  static final String EPS = "eps";
  static final String Y = "y";
  static final String Z = "z";

  private final VaeConfig config;
  private final NamedArrays parameters = NamedArrays.empty();
  private final NamedArrays buffers = NamedArrays.empty();
  final SameDiff train;
  final List<String> trainableNames;
  final String loss;
  final String elbo;
  final String kl;
  final String logPxGivenZ;
  private final SameDiff encoder;
  private final String mu;
  private final String logVar;
  private final SameDiff decoder;
  private final String logits;

  public VaeNetwork(VaeConfig config, long seed, DataType type) {
    this.config = config;
    // Training graph: x -> (mu, logvar) -> z -> logits -> ELBO terms.
    GraphBuilder g = new GraphBuilder(parameters, buffers, seed, type);
    SDVariable x = g.placeholder(X, config.image().batchShape(-1));
    SDVariable eps = g.placeholder(EPS, -1, config.latentDim());
    SDVariable y = config.conditional() ? g.placeholder(Y, -1, config.numClasses()) : null;
    SDVariable[] q = VaeGraphs.encoder(g, config, x, y);
    SDVariable z = q[0].add(g.sd().math().exp(q[1].mul(0.5)).mul(eps));
    SDVariable lp = VaeGraphs.logLikelihood(g.sd(), x, VaeGraphs.decoder(g, config, z, y));
    SDVariable klPerImage = VaeGraphs.kl(g.sd(), q[0], q[1]);
    SDVariable elboPerImage = lp.sub(klPerImage);
    SDVariable lossVar = elboPerImage.mean().neg();
    lossVar.markAsLoss();
    train = g.sd();
    trainableNames = List.copyOf(parameters.names());
    loss = lossVar.name();
    elbo = elboPerImage.name();
    kl = klPerImage.name();
    logPxGivenZ = lp.name();

    GraphBuilder ge = new GraphBuilder(parameters, buffers, seed, type);
    SDVariable[] qe =
        VaeGraphs.encoder(
            ge, config, ge.placeholder(X, config.image().batchShape(-1)),
            config.conditional() ? ge.placeholder(Y, -1, config.numClasses()) : null);
    encoder = ge.sd();
    mu = qe[0].name();
    logVar = qe[1].name();

    GraphBuilder gd = new GraphBuilder(parameters, buffers, seed, type);
    decoder = gd.sd();
    logits =
        VaeGraphs.decoder(
                gd, config, gd.placeholder(Z, -1, config.latentDim()),
                config.conditional() ? gd.placeholder(Y, -1, config.numClasses()) : null)
            .name();
  }

  public VaeConfig config() {
    return config;
  }

  @Override
  public NamedArrays parameters() {
    return parameters;
  }

  @Override
  public NamedArrays buffers() {
    return buffers;
  }

  /** Encoder and decoder, forward and backward; the reparameterisation and ELBO terms are not counted. */
  @Override
  public double trainingFlopsPerImage() {
    VaeConfig c = config;
    double k2 = (double) c.kernelSize() * c.kernelSize();
    double emb = c.conditional() ? c.labelEmbeddingDim() : 0;
    double embedding = c.conditional() ? 2.0 * c.numClasses() * c.labelEmbeddingDim() : 0;
    double flops = 2 * embedding;
    double h = c.image().height();
    double w = c.image().width();
    double in = c.image().channels();
    for (int out : c.encoderChannels()) {
      h = Math.floor((h - c.kernelSize()) / 2) + 1;
      w = Math.floor((w - c.kernelSize()) / 2) + 1;
      flops += 2 * h * w * in * out * k2;
      in = out;
    }
    flops += 2 * (in * h * w + emb) * 2 * c.latentDim();
    int k = c.decoderChannels().size();
    h = c.image().height() >> k;
    w = c.image().width() >> k;
    in = c.decoderBaseChannels();
    flops += 2 * (c.latentDim() + emb) * in * h * w;
    for (int out : c.decoderChannels()) {
      flops += 2 * h * w * in * out * k2; // per input pixel of the transposed convolution
      h *= 2;
      w *= 2;
      in = out;
    }
    flops += 2 * h * w * in * c.image().channels() * k2;
    return 3 * flops;
  }

  /** The tutorial's binarisation: a pixel is 1 where its [0, 1] value exceeds 0.5 (0 in [-1, 1]). */
  public static INDArray binarize(INDArray images) {
    return images.gt(0.0).castTo(images.dataType());
  }

  /** {mu, logvar} of q(z|x) for binarised images, each [N, latent]. */
  public INDArray[] encode(INDArray xBinary, int[] labels) {
    Map<String, INDArray> in = inputs(X, xBinary, labels);
    Map<String, INDArray> out = Forward.run(encoder, in, mu, logVar);
    return new INDArray[] {out.get(mu), out.get(logVar)};
  }

  /** Logits of p(x|z), [N, C, H, W]. */
  public INDArray decodeLogits(INDArray z, int[] labels) {
    return Forward.run(decoder, inputs(Z, z, labels), logits).get(logits);
  }

  /** The training graph's analytic KL(q(z|x) || p(z)) per image, in nats. */
  public INDArray klPerImage(INDArray xBinary, int[] labels) {
    Map<String, INDArray> in = inputs(X, xBinary, labels);
    in.put(EPS, Nd4j.zeros(xBinary.dataType(), xBinary.size(0), config.latentDim()));
    return Forward.run(train, in, kl).get(kl);
  }

  Map<String, INDArray> inputs(String name, INDArray value, int[] labels) {
    Map<String, INDArray> in = new HashMap<>();
    in.put(name, value);
    if (config.conditional()) {
      in.put(Y, Batch.oneHot(labels, config.numClasses(), value.dataType()));
    }
    return in;
  }
}
