package io.sparkgen.model.gan;

import io.sparkgen.model.Network;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.nn.Layers;
import io.sparkgen.model.params.NamedArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Both players' parameters and their two training graphs, one per player so that each player's
 * gradient is of its own loss and is asked for its own variables only. Non-saturating GAN
 * (Goodfellow et al. 2014, Sec. 3): the G graph z -> G -> D -> L_G = E[softplus(-D(G(z)))] =
 * -E[log sigma(D(G(z)))], and the D graph L_D = E[softplus(-D(x))] + E[softplus(D(x_fake))].
 * WGAN-GP (Gulrajani et al. 2017, Alg. 1): L_G = -E[D(G(z))], and the critic's L_D = E[D(x_fake)] -
 * E[D(x)] + lambda E[(||grad_x_hat D(x_hat)||_2 - 1)^2], x_hat = epsilon x + (1 - epsilon) x_fake,
 * epsilon ~ U[0, 1] per image (a placeholder), with grad D built by {@link
 * GanArchitecture#discriminatorInputGradient}.
 */
public final class GanNetwork implements Network {

  static final String Z = "z";
  static final String Y = "y";
  static final String X_REAL = "x_real";
  static final String X_FAKE = "x_fake";
  static final String EPSILON = "epsilon";
  static final String REAL = "real";
  static final String FAKE = "fake";
  static final String MIX = "mix";
  /** Inside the root of ||grad D||: keeps the penalty's gradient finite where grad D = 0 (a dead critic). */
  static final double NORM_FLOOR = 1e-12;

  final GanArchitecture architecture;
  final GanLoss loss;
  final int criticSteps;
  private final NamedArrays parameters = NamedArrays.empty();
  private final NamedArrays buffers = NamedArrays.empty();
  final SameDiff generatorGraph;
  final String fake;
  final String generatorLoss;
  /** G's buffers that follow its training batches, updated by the objective after each G iteration. */
  final List<Layers.RunningAverage> averages = new ArrayList<>();
  final SameDiff discriminatorGraph;
  final String discriminatorLoss;
  final String logitReal;
  final String logitFake;
  /** WGAN-GP only: x_hat, ||grad D(x_hat)||_2 per image and E[(||grad D(x_hat)||_2 - 1)^2]; else null. */
  final String interpolate;
  final String gradientNorm;
  final String gradientPenalty;
  final List<String> generatorNames;
  final List<String> discriminatorNames;

  /** The non-saturating GAN. */
  public GanNetwork(GanArchitecture architecture, long[] imageShape, long seed, DataType type) {
    this(architecture, imageShape, seed, type, GanLoss.NON_SATURATING, 0.0, 1);
  }

  /** {@code gpWeight} and {@code criticSteps} are WGAN-GP's lambda and n_critic (the non-saturating loss ignores them). */
  public GanNetwork(
      GanArchitecture architecture, long[] imageShape, long seed, DataType type, GanLoss loss, double gpWeight,
      int criticSteps) {
    this.architecture = architecture;
    this.loss = loss;
    this.criticSteps = criticSteps;
    boolean conditional = architecture.numClasses() > 0;
    boolean wasserstein = loss == GanLoss.WGAN_GP;

    GraphBuilder g = new GraphBuilder(parameters, buffers, seed, type);
    SDVariable z = g.placeholder(Z, -1, architecture.noiseDim());
    SDVariable y = conditional ? g.placeholder(Y, -1, architecture.numClasses()) : null;
    SDVariable xFake = architecture.generator(g, z, y, true, averages);
    SDVariable scoreFake = architecture.discriminator(g, xFake, y, FAKE);
    SDVariable lossG = wasserstein ? scoreFake.mean().neg() : g.sd().nn().softplus(scoreFake.neg()).mean();
    lossG.markAsLoss();
    generatorGraph = g.sd();
    fake = xFake.name();
    generatorLoss = lossG.name();

    GraphBuilder d = new GraphBuilder(parameters, buffers, seed, type);
    SameDiff sd = d.sd();
    SDVariable yd = conditional ? d.placeholder(Y, -1, architecture.numClasses()) : null;
    SDVariable xReal = d.placeholder(X_REAL, imageShape);
    SDVariable xFakeD = d.placeholder(X_FAKE, imageShape);
    SDVariable real = architecture.discriminator(d, xReal, yd, REAL);
    SDVariable fakeLogit = architecture.discriminator(d, xFakeD, yd, FAKE);
    SDVariable lossD;
    if (wasserstein) {
      SDVariable epsilon = d.placeholder(EPSILON, -1, 1, 1, 1);
      SDVariable xHat = xReal.mul(epsilon).add(xFakeD.mul(epsilon.rsub(1.0)));
      SDVariable grad = architecture.discriminatorInputGradient(d, xHat, yd, MIX);
      long features = imageShape[1] * imageShape[2] * imageShape[3];
      SDVariable squares = sd.math().square(grad.reshape(-1, features));
      // M2.1 fails (NullPointerException in BaseReduceOp.noOp) to run a sum over an axis of size 1 in a graph.
      SDVariable squaredNorm = features == 1 ? squares.reshape(-1) : squares.sum(1);
      SDVariable norm = sd.math().sqrt(squaredNorm.add(NORM_FLOOR));
      SDVariable penalty = sd.math().square(norm.sub(1.0)).mean();
      lossD = fakeLogit.mean().sub(real.mean()).add(penalty.mul(gpWeight));
      interpolate = xHat.name();
      gradientNorm = norm.name();
      gradientPenalty = penalty.name();
    } else {
      lossD = sd.nn().softplus(real.neg()).mean().add(sd.nn().softplus(fakeLogit).mean());
      interpolate = null;
      gradientNorm = null;
      gradientPenalty = null;
    }
    lossD.markAsLoss();
    discriminatorGraph = sd;
    discriminatorLoss = lossD.name();
    logitReal = real.name();
    logitFake = fakeLogit.name();

    generatorNames = List.copyOf(parameters.filter(n -> n.startsWith(GanArchitecture.GENERATOR)).names());
    discriminatorNames = List.copyOf(parameters.filter(n -> n.startsWith(GanArchitecture.DISCRIMINATOR)).names());
    if (generatorNames.size() + discriminatorNames.size() != parameters.size()) {
      throw new IllegalStateException("every GAN parameter must start with gen/ or disc/: " + parameters.names());
    }
  }

  @Override
  public NamedArrays parameters() {
    return parameters;
  }

  @Override
  public NamedArrays buffers() {
    return buffers;
  }

  /**
   * Non-saturating, per image: G step, G and D(G(z)) forward and backward; D step, D(x) and
   * D(x_fake) forward and backward. WGAN-GP, per real image (each is one critic step's): G forward
   * for x_fake, D(x) and D(x_fake) forward and backward, and the penalty's D forward plus its
   * backward-as-forward (2 D) forward and backward; plus the G step's G and D(G(z)) forward and
   * backward for 1 / n_critic generated images per real one.
   */
  @Override
  public double trainingFlopsPerImage() {
    double gen = architecture.generatorFlopsPerImage();
    double disc = architecture.discriminatorFlopsPerImage();
    return switch (loss) {
      case NON_SATURATING -> 3 * (gen + 3 * disc);
      case WGAN_GP -> gen + 3 * disc + 3 * disc + 3 * 2 * disc + 3 * (gen + disc) / criticSteps;
    };
  }

  /** The G graph's outputs a G iteration asks for: x_fake, L_G and the running averages' batch statistics. */
  List<String> generatorOutputs() {
    List<String> out = new ArrayList<>(List.of(fake, generatorLoss));
    averages.forEach(a -> out.add(a.batchValue().name()));
    return out;
  }

  /** Moves the running averages towards the batch statistics in {@code outputs} of a G iteration. */
  void updateAverages(Map<String, INDArray> outputs) {
    averages.forEach(a -> a.update(buffers, outputs.get(a.batchValue().name())));
  }

  public NamedArrays generatorParameters() {
    return parameters.filter(n -> n.startsWith(GanArchitecture.GENERATOR));
  }

  public NamedArrays discriminatorParameters() {
    return parameters.filter(n -> n.startsWith(GanArchitecture.DISCRIMINATOR));
  }
}
