package io.sparkgen.model.gan;

import io.sparkgen.model.Batch;
import io.sparkgen.model.Objective;
import io.sparkgen.model.StepReport;
import io.sparkgen.model.nn.Backprop;
import io.sparkgen.model.optim.Adam;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The non-saturating loss's training step ({@link WganGpObjective} is wgan-gp's). One simultaneous
 * step of both players, as TensorFlow's DCGAN tutorial's train_step: one draw of
 * z and of dropout masks, both gradients at the current parameters, then each player's Adam
 * updates its own parameters only. The generator's running averages (batch norm's moments, the
 * style generator's mean w) follow the step's batch.
 */
public final class GanObjective implements Objective {

  private final GanNetwork net;
  private final Adam generatorAdam;
  private final Adam discriminatorAdam;

  public GanObjective(GanNetwork net, AdamConfig generator, AdamConfig discriminator) {
    this.net = net;
    this.generatorAdam = new Adam(generator, net.generatorParameters());
    this.discriminatorAdam = new Adam(discriminator, net.discriminatorParameters());
  }

  /**
   * The step's randomness: z ~ N(0, I), G's other random inputs ({@link GanArchitecture#generatorInputs}),
   * then the dropout masks of D(x), then those of D(G(z)).
   */
  public record Noise(INDArray z, Map<String, INDArray> generatorInputs, List<INDArray> realMasks, List<INDArray> fakeMasks) {}

  /**
   * Each player's gradient of its own loss, and the graphs' outputs; {@link #close()} gives their
   * arrays back for reuse.
   */
  public record Gradients(
      Map<String, INDArray> generator,
      Map<String, INDArray> discriminator,
      Map<String, INDArray> outputs,
      List<Backprop.Result> results)
      implements AutoCloseable {

    @Override
    public void close() {
      results.forEach(Backprop.Result::close);
    }
  }

  public Noise drawNoise(int n, Rng rng, org.nd4j.linalg.api.buffer.DataType type) {
    INDArray z = rng.gaussian(type, n, net.architecture.noiseDim());
    Map<String, INDArray> inputs = net.architecture.generatorInputs(n, true, rng, type);
    List<INDArray> real = masks(net.architecture, n, rng, type);
    List<INDArray> fake = masks(net.architecture, n, rng, type);
    return new Noise(z, inputs, real, fake);
  }

  /** D's dropout masks for a batch of {@code n}; ones, drawing nothing, without dropout. */
  static List<INDArray> masks(GanArchitecture architecture, int n, Rng rng, org.nd4j.linalg.api.buffer.DataType type) {
    List<INDArray> masks = new ArrayList<>();
    double keep = architecture.dropoutKeep();
    for (long[] shape : architecture.dropoutMaskShapes(n)) {
      masks.add(keep == 1.0 ? org.nd4j.linalg.factory.Nd4j.ones(type, shape) : rng.dropoutMask(type, keep, shape));
    }
    return masks;
  }

  /** grad_G L_G and grad_D L_D at the current parameters; applies nothing. */
  public Gradients gradients(Batch batch, Noise noise) {
    Map<String, INDArray> gIn = new HashMap<>();
    gIn.put(GanNetwork.Z, noise.z());
    gIn.putAll(noise.generatorInputs());
    putMasks(gIn, GanNetwork.FAKE, noise.fakeMasks());
    putLabels(gIn, batch);
    Backprop.Result g = Backprop.run(net.generatorGraph, gIn, net.generatorOutputs(), net.generatorNames);

    Map<String, INDArray> dIn = new HashMap<>();
    dIn.put(GanNetwork.X_REAL, batch.images());
    dIn.put(GanNetwork.X_FAKE, g.outputs().get(net.fake));
    putMasks(dIn, GanNetwork.REAL, noise.realMasks());
    putMasks(dIn, GanNetwork.FAKE, noise.fakeMasks());
    putLabels(dIn, batch);
    Backprop.Result d =
        Backprop.run(
            net.discriminatorGraph, dIn, List.of(net.discriminatorLoss, net.logitReal, net.logitFake), net.discriminatorNames);

    Map<String, INDArray> outputs = new HashMap<>(g.outputs());
    outputs.putAll(d.outputs());
    return new Gradients(g.gradients(), d.gradients(), outputs, List.of(d, g));
  }

  @Override
  public StepReport step(Batch batch, Rng rng) {
    Map<String, Double> metrics = new TreeMap<>();
    try (Gradients grads = gradients(batch, drawNoise(batch.size(), rng, batch.images().dataType()))) {
      generatorAdam.update(net.parameters(), grads.generator());
      discriminatorAdam.update(net.parameters(), grads.discriminator());
      net.updateAverages(grads.outputs());
      Map<String, INDArray> out = grads.outputs();
      metrics.put("g_loss", out.get(net.generatorLoss).getDouble(0));
      metrics.put("d_loss", out.get(net.discriminatorLoss).getDouble(0));
      metrics.put("d_real", Transforms.sigmoid(out.get(net.logitReal), true).meanNumber().doubleValue());
      metrics.put("d_fake", Transforms.sigmoid(out.get(net.logitFake), true).meanNumber().doubleValue());
    }
    return StepReport.of(metrics);
  }

  @Override
  public NamedArrays optimizerState() {
    return NamedArrays.concat(Map.of("generator", generatorAdam.state(), "discriminator", discriminatorAdam.state()));
  }

  private void putLabels(Map<String, INDArray> in, Batch batch) {
    putLabels(in, batch, net.architecture);
  }

  static void putLabels(Map<String, INDArray> in, Batch batch, GanArchitecture architecture) {
    if (architecture.numClasses() > 0) {
      in.put(GanNetwork.Y, batch.oneHot(architecture.numClasses()));
    }
  }

  static void putMasks(Map<String, INDArray> in, String tag, List<INDArray> masks) {
    for (int i = 0; i < masks.size(); i++) {
      in.put(tag + "/mask" + i, masks.get(i));
    }
  }
}
