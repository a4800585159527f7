package io.sparkgen.model.vaegan;

import io.sparkgen.model.Batch;
import io.sparkgen.model.Objective;
import io.sparkgen.model.StepReport;
import io.sparkgen.model.nn.Backprop;
import io.sparkgen.model.optim.Adam;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One simultaneous step of the three players of Larsen et al. 2016, Alg. 1: one draw of eps, z_p
 * and D's dropout masks, every player's gradient of its own loss at the current parameters (see
 * {@link VaeGanNetwork}), then each player's Adam updates its own parameters only.
 */
public final class VaeGanObjective implements Objective {

  private final VaeGanNetwork net;
  private final Adam encoderAdam;
  private final Adam decoderAdam;
  private final Adam discriminatorAdam;

  public VaeGanObjective(VaeGanNetwork net) {
    this.net = net;
    VaeGanConfig c = net.config();
    this.encoderAdam = new Adam(c.encoderOptimizer(), net.encoderParameters());
    this.decoderAdam = new Adam(c.decoderOptimizer(), net.decoderParameters());
    this.discriminatorAdam = new Adam(c.discriminatorOptimizer(), net.discriminatorParameters());
  }

  /** The step's randomness: eps of the reparameterisation, z_p ~ N(0, I), D's masks for x and x~, those for x_p. */
  public record Noise(INDArray eps, INDArray zPrior, List<INDArray> pairMasks, List<INDArray> priorMasks) {}

  /**
   * Each player's gradient of its own loss, and the graphs' outputs; {@link #close()} gives their
   * arrays back for reuse.
   */
  public record Gradients(
      Map<String, INDArray> encoder, Map<String, INDArray> decoder, Map<String, INDArray> discriminator,
      Map<String, INDArray> outputs, List<Backprop.Result> results)
      implements AutoCloseable {

    @Override
    public void close() {
      results.forEach(Backprop.Result::close);
    }
  }

  public Noise drawNoise(int n, Rng rng, DataType type) {
    INDArray eps = rng.gaussian(type, n, net.config().latentDim());
    INDArray zPrior = rng.gaussian(type, n, net.config().latentDim());
    return new Noise(eps, zPrior, masks(n, rng, type), masks(n, rng, type));
  }

  /** D's dropout masks for a batch of {@code n}; ones, drawing nothing, without dropout. */
  private List<INDArray> masks(int n, Rng rng, DataType type) {
    List<INDArray> masks = new ArrayList<>();
    double keep = net.discriminator.dropoutKeep();
    for (long[] shape : net.discriminator.dropoutMaskShapes(n)) {
      masks.add(keep == 1.0 ? Nd4j.ones(type, shape) : rng.dropoutMask(type, keep, shape));
    }
    return masks;
  }

  /** grad_enc L_enc, grad_dec L_dec and grad_D L_D at the current parameters; applies nothing. */
  public Gradients gradients(Batch batch, Noise noise) {
    Map<String, INDArray> in = new HashMap<>();
    in.put(VaeGanNetwork.X, batch.images());
    in.put(VaeGanNetwork.EPS, noise.eps());
    putLabels(in, batch);
    putMasks(in, VaeGanNetwork.REAL, noise.pairMasks());
    putMasks(in, VaeGanNetwork.RECON, noise.pairMasks());
    Backprop.Result e =
        Backprop.run(
            net.encoderGraph, in, List.of(net.encoderLoss, net.z, net.kl, net.featureError, net.pixelError), net.encoderNames);

    in.remove(VaeGanNetwork.EPS);
    in.put(VaeGanNetwork.Z, e.outputs().get(net.z));
    in.put(VaeGanNetwork.Z_PRIOR, noise.zPrior());
    putMasks(in, VaeGanNetwork.PRIOR, noise.priorMasks());
    Backprop.Result d =
        Backprop.run(net.decoderGraph, in, List.of(net.decoderLoss, net.reconstruction, net.prior), net.decoderNames);

    in.remove(VaeGanNetwork.Z);
    in.remove(VaeGanNetwork.Z_PRIOR);
    in.put(VaeGanNetwork.X_RECON, d.outputs().get(net.reconstruction));
    in.put(VaeGanNetwork.X_PRIOR, d.outputs().get(net.prior));
    Backprop.Result s =
        Backprop.run(
            net.discriminatorGraph, in, List.of(net.discriminatorLoss, net.logitReal, net.logitRecon, net.logitPrior),
            net.discriminatorNames);

    Map<String, INDArray> outputs = new HashMap<>(e.outputs());
    outputs.putAll(d.outputs());
    outputs.putAll(s.outputs());
    return new Gradients(e.gradients(), d.gradients(), s.gradients(), outputs, List.of(s, d, e));
  }

  @Override
  public StepReport step(Batch batch, Rng rng) {
    Map<String, Double> metrics = new TreeMap<>();
    try (Gradients grads = gradients(batch, drawNoise(batch.size(), rng, batch.images().dataType()))) {
      encoderAdam.update(net.parameters(), grads.encoder());
      decoderAdam.update(net.parameters(), grads.decoder());
      discriminatorAdam.update(net.parameters(), grads.discriminator());
      Map<String, INDArray> out = grads.outputs();
      metrics.put("enc_loss", out.get(net.encoderLoss).getDouble(0));
      metrics.put("dec_loss", out.get(net.decoderLoss).getDouble(0));
      metrics.put("d_loss", out.get(net.discriminatorLoss).getDouble(0));
      metrics.put("kl_nats", mean(out, net.kl));
      metrics.put("dis_l_error", mean(out, net.featureError));
      metrics.put("pixel_nll_nats", mean(out, net.pixelError));
      metrics.put("d_real", sigmoidMean(out, net.logitReal));
      metrics.put("d_recon", sigmoidMean(out, net.logitRecon));
      metrics.put("d_prior", sigmoidMean(out, net.logitPrior));
    }
    return StepReport.of(metrics);
  }

  @Override
  public NamedArrays optimizerState() {
    return NamedArrays.concat(
        Map.of("encoder", encoderAdam.state(), "decoder", decoderAdam.state(), "discriminator", discriminatorAdam.state()));
  }

  private static double mean(Map<String, INDArray> out, String name) {
    return out.get(name).meanNumber().doubleValue();
  }

  private static double sigmoidMean(Map<String, INDArray> out, String name) {
    return Transforms.sigmoid(out.get(name), true).meanNumber().doubleValue();
  }

  private void putLabels(Map<String, INDArray> in, Batch batch) {
    if (net.config().numClasses() > 0) {
      in.put(VaeGanNetwork.Y, batch.oneHot(net.config().numClasses()));
    }
  }

  private static void putMasks(Map<String, INDArray> in, String tag, List<INDArray> masks) {
    for (int i = 0; i < masks.size(); i++) {
      in.put(tag + "/mask" + i, masks.get(i));
    }
  }
}
