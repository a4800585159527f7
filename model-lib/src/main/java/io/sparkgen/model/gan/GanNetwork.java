package io.sparkgen.model.gan;

import io.sparkgen.model.Network;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.nn.Layers;
import io.sparkgen.model.params.NamedArrays;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Both players' parameters and the two training graphs of the non-saturating GAN (Goodfellow et
 * al. 2014, Sec. 3): the G graph z -> G -> D -> L_G = E[softplus(-D(G(z)))] = -E[log sigma(D(G(z)))],
 * and the D graph L_D = E[softplus(-D(x))] + E[softplus(D(x_fake))]. One graph per player, so
 * each player's gradient is of its own loss and is asked for its own variables only.
 */
public final class GanNetwork implements Network {

  static final String Z = "z";
  static final String Y = "y";
  static final String X_REAL = "x_real";
  static final String X_FAKE = "x_fake";
  static final String REAL = "real";
  static final String FAKE = "fake";

  final GanArchitecture architecture;
  private final NamedArrays parameters = NamedArrays.empty();
  private final NamedArrays buffers = NamedArrays.empty();
  final SameDiff generatorGraph;
  final String fake;
  final String generatorLoss;
  final List<Layers.BatchNorm> norms = new ArrayList<>();
  final SameDiff discriminatorGraph;
  final String discriminatorLoss;
  final String logitReal;
  final String logitFake;
  final List<String> generatorNames;
  final List<String> discriminatorNames;

  public GanNetwork(GanArchitecture architecture, long[] imageShape, long seed, DataType type) {
    this.architecture = architecture;
    boolean conditional = architecture.numClasses() > 0;

    GraphBuilder g = new GraphBuilder(parameters, buffers, seed, type);
    SDVariable z = g.placeholder(Z, -1, architecture.noiseDim());
    SDVariable y = conditional ? g.placeholder(Y, -1, architecture.numClasses()) : null;
    SDVariable xFake = architecture.generator(g, z, y, true, norms);
    SDVariable lossG = g.sd().nn().softplus(architecture.discriminator(g, xFake, y, FAKE).neg()).mean();
    lossG.markAsLoss();
    generatorGraph = g.sd();
    fake = xFake.name();
    generatorLoss = lossG.name();

    GraphBuilder d = new GraphBuilder(parameters, buffers, seed, type);
    SDVariable yd = conditional ? d.placeholder(Y, -1, architecture.numClasses()) : null;
    SDVariable real = architecture.discriminator(d, d.placeholder(X_REAL, imageShape), yd, REAL);
    SDVariable fakeLogit = architecture.discriminator(d, d.placeholder(X_FAKE, imageShape), yd, FAKE);
    SDVariable lossD =
        d.sd().nn().softplus(real.neg()).mean().add(d.sd().nn().softplus(fakeLogit).mean());
    lossD.markAsLoss();
    discriminatorGraph = d.sd();
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

  /** G step: G and D(G(z)) forward and backward; D step: D(x) and D(x_fake) forward and backward. */
  @Override
  public double trainingFlopsPerImage() {
    return 3 * (architecture.generatorFlopsPerImage() + 3 * architecture.discriminatorFlopsPerImage());
  }

  public NamedArrays generatorParameters() {
    return parameters.filter(n -> n.startsWith(GanArchitecture.GENERATOR));
  }

  public NamedArrays discriminatorParameters() {
    return parameters.filter(n -> n.startsWith(GanArchitecture.DISCRIMINATOR));
  }
}
