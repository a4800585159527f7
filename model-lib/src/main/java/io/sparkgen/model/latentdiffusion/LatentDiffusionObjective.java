package io.sparkgen.model.latentdiffusion;

import io.sparkgen.model.Batch;
import io.sparkgen.model.Objective;
import io.sparkgen.model.StepReport;
import io.sparkgen.model.diffusion.DiffusionObjective;
import io.sparkgen.model.diffusion.NoiseSchedule;
import io.sparkgen.model.nn.Backprop;
import io.sparkgen.model.optim.Adam;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One Adam step of the denoiser on a batch's latents (Rombach et al. 2022, eq. 2): z_0 = s mu(x)
 * from the frozen encoder, then Ho et al. 2020's Algorithm 1 on z_0 with the draws of {@link
 * DiffusionObjective#noise} (timesteps, label drops, noise). Only the denoiser's parameters get
 * gradients; the autoencoder's buffers are read, never written.
 */
public final class LatentDiffusionObjective implements Objective {

  private final LatentDiffusionNetwork net;
  private final NoiseSchedule schedule;
  private final Adam adam;

  public LatentDiffusionObjective(LatentDiffusionNetwork net) {
    this.net = net;
    this.schedule = net.config().noiseSchedule();
    this.adam = new Adam(net.config().optimizer(), net.parameters());
  }

  @Override
  public StepReport step(Batch batch, Rng rng) {
    INDArray z0 = net.encode(batch.images(), batch.labels());
    int[] labels = net.config().conditional() ? batch.labels() : null;
    DiffusionObjective.Noised draw = DiffusionObjective.noise(schedule, z0, labels, net.config().labelDropout(), rng);
    Map<String, INDArray> in = net.inputs(draw.xt(), draw.t(), draw.labels());
    in.put(LatentDiffusionNetwork.NOISE, draw.noise());
    Map<String, Double> metrics = new TreeMap<>();
    try (Backprop.Result result = Backprop.run(net.train, in, List.of(net.loss), net.trainableNames)) {
      adam.update(net.parameters(), result.gradients());
      metrics.put("loss", result.outputs().get(net.loss).getDouble(0));
    }
    return StepReport.of(metrics);
  }

  @Override
  public NamedArrays optimizerState() {
    return adam.state();
  }
}
