package io.sparkgen.model.vaegan;

import io.sparkgen.model.Network;
import io.sparkgen.model.gan.Dcgan;
import io.sparkgen.model.gan.GanArchitecture;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.vae.VaeConfig;
import io.sparkgen.model.vae.VaeGraphs;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The three players' parameters (the VAE's {@code enc/} and {@code dec/}, the DCGAN
 * discriminator's {@code disc/}) and one training graph per player, each of its own loss (Larsen et
 * al. 2016, Alg. 1), so that a player's gradient is asked for its own variables only:
 *
 * <ul>
 *   <li>encoder: L_enc = E[KL(q(z|x) || N(0, I)) + L_rec], z = mu + sigma eps;
 *   <li>decoder: L_dec = w E[L_rec] + (1 - w) (E[softplus(-D(x~))] + E[softplus(-D(x_p))]), x~ = Dec(z),
 *       x_p = Dec(z_p), z_p ~ N(0, I) (the non-saturating form of the paper's -L_GAN);
 *   <li>discriminator: L_D = E[softplus(-D(x))] + E[softplus(D(x~))] + E[softplus(D(x_p))] (-L_GAN);
 * </ul>
 *
 * with L_rec = (1 - p) L_llike^Dis_l + p L_pixel per image: L_llike^Dis_l = 0.5 ||Dis_l(x) -
 * Dis_l(x~)||^2, the negative log-likelihood of Dis_l(x) under N(Dis_l(x~), I) without its constant,
 * and L_pixel the cross-entropy of x on [0, 1] against the VAE decoder's Bernoulli means (-log p(x|z)
 * where x is binary, as the vae family's). The encoder reads x on [0, 1] and the decoder's
 * Bernoulli means sigmoid(logits) are x~ on [0, 1]; D reads both on [-1, 1], the scale of the data
 * and of the DCGAN's D. The decoder's and discriminator's graphs take z and the decoder's outputs as
 * placeholders, values of the previous graph, so they do not contain the earlier players at all.
 */
public final class VaeGanNetwork implements Network {

  static final String X = "x";
  static final String Y = "y";
  static final String EPS = "eps";
  static final String Z = "z";
  static final String Z_PRIOR = "z_prior";
  static final String X_RECON = "x_recon";
  static final String X_PRIOR = "x_prior";
  /** D's dropout-mask tags: x and x~ are fed the same masks, so that Dis_l(x~) = Dis_l(x) when x~ = x. */
  static final String REAL = "real";
  static final String RECON = "recon";
  static final String PRIOR = "prior";
  static final String ENCODER = "enc/";
  static final String DECODER = "dec/";

  private final VaeGanConfig config;
  final Dcgan discriminator;
  private final NamedArrays parameters = NamedArrays.empty();
  private final NamedArrays buffers = NamedArrays.empty();

  final SameDiff encoderGraph;
  final String encoderLoss;
  final String z;
  final String kl;
  final String featureError;
  final String pixelError;

  final SameDiff decoderGraph;
  final String decoderLoss;
  final String reconstruction;
  final String prior;

  final SameDiff discriminatorGraph;
  final String discriminatorLoss;
  final String logitReal;
  final String logitRecon;
  final String logitPrior;

  final List<String> encoderNames;
  final List<String> decoderNames;
  final List<String> discriminatorNames;

  public VaeGanNetwork(VaeGanConfig config, long seed, DataType type) {
    this.config = config;
    this.discriminator = new Dcgan(config.discriminator());
    VaeConfig vae = config.vae();
    double w = config.reconVsGanWeight();

    // Encoder: x -> q(z|x) -> z -> x~, KL and L_rec.
    GraphBuilder ge = new GraphBuilder(parameters, buffers, seed, type);
    SDVariable x = ge.placeholder(X, config.image().batchShape(-1));
    SDVariable y = labels(ge);
    SDVariable eps = ge.placeholder(EPS, -1, config.latentDim());
    SDVariable[] q = VaeGraphs.encoder(ge, vae, toUnit(x), y);
    SDVariable zVar = q[0].add(ge.sd().math().exp(q[1].mul(0.5)).mul(eps));
    SDVariable logits = VaeGraphs.decoder(ge, vae, zVar, y);
    SDVariable features = featureError(ge, x, fromLogits(ge.sd(), logits), y);
    SDVariable pixels = VaeGraphs.logLikelihood(ge.sd(), toUnit(x), logits).neg();
    SDVariable klVar = VaeGraphs.kl(ge.sd(), q[0], q[1]);
    SDVariable lossE = klVar.add(reconstruction(features, pixels)).mean();
    lossE.markAsLoss();
    encoderGraph = ge.sd();
    encoderLoss = lossE.name();
    z = zVar.name();
    kl = klVar.name();
    featureError = features.name();
    pixelError = pixels.name();

    // Decoder: z (the encoder's) -> x~, z_p -> x_p, L_rec and the GAN loss of both.
    GraphBuilder gd = new GraphBuilder(parameters, buffers, seed, type);
    SDVariable xd = gd.placeholder(X, config.image().batchShape(-1));
    SDVariable yd = labels(gd);
    SDVariable logitsD = VaeGraphs.decoder(gd, vae, gd.placeholder(Z, -1, config.latentDim()), yd);
    SDVariable xRecon = fromLogits(gd.sd(), logitsD);
    SDVariable xPrior = fromLogits(gd.sd(), VaeGraphs.decoder(gd, vae, gd.placeholder(Z_PRIOR, -1, config.latentDim()), yd));
    List<SDVariable> reconLayers = discriminator.discriminatorLayers(gd, xRecon, yd, RECON);
    SDVariable realFeatures = discriminator.discriminatorLayers(gd, xd, yd, REAL).get(config.featureLayer() - 1);
    SDVariable featuresD = squaredDistance(realFeatures, reconLayers.get(config.featureLayer() - 1));
    SDVariable pixelsD = VaeGraphs.logLikelihood(gd.sd(), toUnit(xd), logitsD).neg();
    SDVariable priorLogit = last(discriminator.discriminatorLayers(gd, xPrior, yd, PRIOR));
    SameDiff sdd = gd.sd();
    SDVariable gan = sdd.nn().softplus(last(reconLayers).neg()).mean().add(sdd.nn().softplus(priorLogit.neg()).mean());
    SDVariable lossDec = reconstruction(featuresD, pixelsD).mean().mul(w).add(gan.mul(1.0 - w));
    lossDec.markAsLoss();
    decoderGraph = sdd;
    decoderLoss = lossDec.name();
    reconstruction = xRecon.name();
    prior = xPrior.name();

    // Discriminator: x real, x~ and x_p (the decoder's) fake.
    GraphBuilder gdis = new GraphBuilder(parameters, buffers, seed, type);
    SameDiff sds = gdis.sd();
    SDVariable ys = labels(gdis);
    SDVariable real = last(discriminator.discriminatorLayers(gdis, gdis.placeholder(X, config.image().batchShape(-1)), ys, REAL));
    SDVariable recon =
        last(discriminator.discriminatorLayers(gdis, gdis.placeholder(X_RECON, config.image().batchShape(-1)), ys, RECON));
    SDVariable fake =
        last(discriminator.discriminatorLayers(gdis, gdis.placeholder(X_PRIOR, config.image().batchShape(-1)), ys, PRIOR));
    SDVariable lossD =
        sds.nn().softplus(real.neg()).mean().add(sds.nn().softplus(recon).mean()).add(sds.nn().softplus(fake).mean());
    lossD.markAsLoss();
    discriminatorGraph = sds;
    discriminatorLoss = lossD.name();
    logitReal = real.name();
    logitRecon = recon.name();
    logitPrior = fake.name();

    encoderNames = List.copyOf(parameters.filter(n -> n.startsWith(ENCODER)).names());
    decoderNames = List.copyOf(parameters.filter(n -> n.startsWith(DECODER)).names());
    discriminatorNames = List.copyOf(parameters.filter(n -> n.startsWith(GanArchitecture.DISCRIMINATOR)).names());
    if (encoderNames.size() + decoderNames.size() + discriminatorNames.size() != parameters.size()) {
      throw new IllegalStateException("every VAE-GAN parameter must start with enc/, dec/ or disc/: " + parameters.names());
    }
  }

  public VaeGanConfig config() {
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

  public NamedArrays encoderParameters() {
    return parameters.filter(n -> n.startsWith(ENCODER));
  }

  public NamedArrays decoderParameters() {
    return parameters.filter(n -> n.startsWith(DECODER));
  }

  public NamedArrays discriminatorParameters() {
    return parameters.filter(n -> n.startsWith(GanArchitecture.DISCRIMINATOR));
  }

  /** x on [-1, 1] to [0, 1], the scale of the VAE's Bernoulli likelihood. */
  static SDVariable toUnit(SDVariable x) {
    return x.add(1.0).mul(0.5);
  }

  /** The Bernoulli means sigmoid(logits) on [0, 1], rescaled to D's [-1, 1]. */
  static SDVariable fromLogits(SameDiff sd, SDVariable logits) {
    return sd.nn().sigmoid(logits).mul(2.0).sub(1.0);
  }

  private SDVariable featureError(GraphBuilder g, SDVariable x, SDVariable xRecon, SDVariable y) {
    int l = config.featureLayer() - 1;
    SDVariable real = discriminator.discriminatorLayers(g, x, y, REAL).get(l);
    return squaredDistance(real, discriminator.discriminatorLayers(g, xRecon, y, RECON).get(l));
  }

  /** 0.5 ||a - b||^2 per image, a and b Dis_l's [N, C, H, W]. */
  private SDVariable squaredDistance(SDVariable a, SDVariable b) {
    long[] shape = discriminator.dropoutMaskShapes(1).get(config.featureLayer() - 1);
    long features = shape[1] * shape[2] * shape[3];
    SDVariable d = a.sub(b).reshape(-1, features);
    SDVariable squares = d.mul(d);
    // M2.1 fails (NullPointerException in BaseReduceOp.noOp) to run a sum over an axis of size 1 in a graph.
    return (features == 1 ? squares.reshape(-1) : squares.sum(1)).mul(0.5);
  }

  private SDVariable reconstruction(SDVariable features, SDVariable pixels) {
    double p = config.pixelWeight();
    return features.mul(1.0 - p).add(pixels.mul(p));
  }

  private SDVariable labels(GraphBuilder g) {
    return config.conditional() ? g.placeholder(Y, -1, config.numClasses()) : null;
  }

  private static SDVariable last(List<SDVariable> layers) {
    return layers.get(layers.size() - 1);
  }
}
