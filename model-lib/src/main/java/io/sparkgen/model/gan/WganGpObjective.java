package io.sparkgen.model.gan;

import io.sparkgen.model.Batch;
import io.sparkgen.model.Objective;
import io.sparkgen.model.StepReport;
import io.sparkgen.model.nn.Backprop;
import io.sparkgen.model.nn.Forward;
import io.sparkgen.model.optim.Adam;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One WGAN-GP training step, Gulrajani et al. 2017, Alg. 1: n_critic critic iterations, then one
 * generator iteration, each at the parameters the previous one left. Critic iteration t trains on
 * the t-th of n_critic consecutive slices of the batch (the algorithm draws fresh real data for
 * each; so every image of the step is used once) with its own z, epsilon ~ U[0, 1] per image and
 * dropout masks; the generator iteration draws as many z as the first slice has images (the
 * algorithm's m), with that slice's labels when conditional. Each player's Adam updates its own
 * parameters only; G's running averages follow its own iteration's batch.
 */
public final class WganGpObjective implements Objective {

  private final GanNetwork net;
  private final Adam generatorAdam;
  private final Adam criticAdam;
  private final int criticSteps;

  public WganGpObjective(GanNetwork net, AdamConfig generator, AdamConfig critic, int criticSteps) {
    if (net.loss != GanLoss.WGAN_GP) {
      throw new IllegalArgumentException("WganGpObjective needs a network built for loss wgan-gp, got " + net.loss.id());
    }
    if (criticSteps < 1) {
      throw new IllegalArgumentException("criticSteps must be > 0, got " + criticSteps);
    }
    this.net = net;
    this.generatorAdam = new Adam(generator, net.generatorParameters());
    this.criticAdam = new Adam(critic, net.discriminatorParameters());
    this.criticSteps = criticSteps;
  }

  /**
   * A critic iteration's randomness, drawn in this order: z, G's other random inputs, the masks of
   * D(x), D(x_fake), D(x_hat), then epsilon.
   */
  public record CriticNoise(
      INDArray z, Map<String, INDArray> generatorInputs, List<INDArray> realMasks, List<INDArray> fakeMasks, List<INDArray> mixMasks, INDArray epsilon) {}

  /** The generator iteration's randomness: z, G's other random inputs, then the masks of D(G(z)). */
  public record GeneratorNoise(INDArray z, Map<String, INDArray> generatorInputs, List<INDArray> fakeMasks) {}

  /** One player's gradient of its own loss, and the graph's outputs. */
  /** A player's gradients and the graph's outputs; {@link #close()} gives their arrays back for reuse. */
  public record Gradients(Map<String, INDArray> gradients, Map<String, INDArray> outputs, Backprop.Result result)
      implements AutoCloseable {

    @Override
    public void close() {
      result.close();
    }
  }

  public CriticNoise drawCriticNoise(int n, Rng rng, DataType type) {
    INDArray z = rng.gaussian(type, n, net.architecture.noiseDim());
    Map<String, INDArray> inputs = net.architecture.generatorInputs(n, true, rng, type);
    List<INDArray> real = GanObjective.masks(net.architecture, n, rng, type);
    List<INDArray> fake = GanObjective.masks(net.architecture, n, rng, type);
    List<INDArray> mix = GanObjective.masks(net.architecture, n, rng, type);
    return new CriticNoise(z, inputs, real, fake, mix, rng.uniform(type, 0.0, 1.0, n, 1, 1, 1));
  }

  public GeneratorNoise drawGeneratorNoise(int n, Rng rng, DataType type) {
    INDArray z = rng.gaussian(type, n, net.architecture.noiseDim());
    Map<String, INDArray> inputs = net.architecture.generatorInputs(n, true, rng, type);
    return new GeneratorNoise(z, inputs, GanObjective.masks(net.architecture, n, rng, type));
  }

  /**
   * grad_D L_D of one critic iteration on the real images {@code real}, x_fake = G(z) in training
   * mode at the current parameters; applies nothing. Outputs: the loss, D(x), D(x_fake), x_fake,
   * x_hat, ||grad D(x_hat)|| and the penalty.
   */
  public Gradients criticGradients(Batch real, CriticNoise noise) {
    Map<String, INDArray> gIn = new HashMap<>();
    gIn.put(GanNetwork.Z, noise.z());
    gIn.putAll(noise.generatorInputs());
    GanObjective.putMasks(gIn, GanNetwork.FAKE, noise.fakeMasks());
    GanObjective.putLabels(gIn, real, net.architecture);
    INDArray xFake = Forward.run(net.generatorGraph, gIn, net.fake).get(net.fake);

    Map<String, INDArray> dIn = new HashMap<>();
    dIn.put(GanNetwork.X_REAL, real.images());
    dIn.put(GanNetwork.X_FAKE, xFake);
    dIn.put(GanNetwork.EPSILON, noise.epsilon());
    GanObjective.putMasks(dIn, GanNetwork.REAL, noise.realMasks());
    GanObjective.putMasks(dIn, GanNetwork.FAKE, noise.fakeMasks());
    GanObjective.putMasks(dIn, GanNetwork.MIX, noise.mixMasks());
    GanObjective.putLabels(dIn, real, net.architecture);
    Backprop.Result d =
        Backprop.run(
            net.discriminatorGraph,
            dIn,
            List.of(net.discriminatorLoss, net.logitReal, net.logitFake, net.interpolate, net.gradientNorm, net.gradientPenalty),
            net.discriminatorNames);
    Map<String, INDArray> outputs = new HashMap<>(d.outputs());
    outputs.put(net.fake, xFake);
    return new Gradients(d.gradients(), outputs, d);
  }

  /** grad_G L_G = grad_G -E[D(G(z))] at the current parameters, labels from {@code labels}; applies nothing. */
  public Gradients generatorGradients(Batch labels, GeneratorNoise noise) {
    Map<String, INDArray> gIn = new HashMap<>();
    gIn.put(GanNetwork.Z, noise.z());
    gIn.putAll(noise.generatorInputs());
    GanObjective.putMasks(gIn, GanNetwork.FAKE, noise.fakeMasks());
    GanObjective.putLabels(gIn, labels, net.architecture);
    Backprop.Result g = Backprop.run(net.generatorGraph, gIn, net.generatorOutputs(), net.generatorNames);
    return new Gradients(g.gradients(), g.outputs(), g);
  }

  /** Rows [t n / n_critic, (t + 1) n / n_critic) of the batch: critic iteration t's real images. */
  public Batch slice(Batch batch, int t) {
    int n = batch.size();
    if (n < criticSteps) {
      throw new IllegalArgumentException("wgan-gp: a batch of " + n + " images cannot feed criticSteps = " + criticSteps
          + " critic iterations; the batch size must be at least criticSteps");
    }
    int from = (int) ((long) t * n / criticSteps);
    int to = (int) ((long) (t + 1) * n / criticSteps);
    INDArray images = batch.images().get(NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
    return new Batch(images, batch.labels() == null ? null : Arrays.copyOfRange(batch.labels(), from, to));
  }

  @Override
  public StepReport step(Batch batch, Rng rng) {
    DataType type = batch.images().dataType();
    double dLoss = 0;
    double distance = 0;
    double penalty = 0;
    double norm = 0;
    for (int t = 0; t < criticSteps; t++) {
      Batch real = slice(batch, t);
      try (Gradients critic = criticGradients(real, drawCriticNoise(real.size(), rng, type))) {
        criticAdam.update(net.parameters(), critic.gradients());
        Map<String, INDArray> out = critic.outputs();
        dLoss += out.get(net.discriminatorLoss).getDouble(0) / criticSteps;
        distance += (out.get(net.logitReal).meanNumber().doubleValue() - out.get(net.logitFake).meanNumber().doubleValue()) / criticSteps;
        penalty += out.get(net.gradientPenalty).getDouble(0) / criticSteps;
        norm += out.get(net.gradientNorm).meanNumber().doubleValue() / criticSteps;
      }
    }
    Batch first = slice(batch, 0);
    Map<String, Double> metrics = new TreeMap<>();
    try (Gradients generator = generatorGradients(first, drawGeneratorNoise(first.size(), rng, type))) {
      generatorAdam.update(net.parameters(), generator.gradients());
      net.updateAverages(generator.outputs());
      metrics.put("g_loss", generator.outputs().get(net.generatorLoss).getDouble(0));
    }
    metrics.put("d_loss", dLoss);
    metrics.put("w_distance", distance);
    metrics.put("gradient_penalty", penalty);
    metrics.put("grad_norm", norm);
    return StepReport.of(metrics);
  }

  @Override
  public NamedArrays optimizerState() {
    return NamedArrays.concat(Map.of("generator", generatorAdam.state(), "discriminator", criticAdam.state()));
  }
}
