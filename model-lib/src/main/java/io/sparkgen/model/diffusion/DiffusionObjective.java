package io.sparkgen.model.diffusion;

import io.sparkgen.model.Batch;
import io.sparkgen.model.Objective;
import io.sparkgen.model.StepReport;
import io.sparkgen.model.optim.Adam;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One Adam step of Ho et al. 2020's Algorithm 1: per image t ~ U{0, .., T-1}, eps ~ N(0, I), x_t =
 * sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, loss = mean ||eps - eps_theta(x_t, t)||^2. A
 * conditional model loses its label with probability {@code labelDropout} (Ho &amp; Salimans
 * 2021, Algorithm 1). Draws, in order: the timesteps, the label drops, the noise.
 */
public final class DiffusionObjective implements Objective {

  private final DiffusionNetwork net;
  private final NoiseSchedule schedule;
  private final Adam adam;

  public DiffusionObjective(DiffusionNetwork net) {
    this.net = net;
    this.schedule = net.config().noiseSchedule();
    this.adam = new Adam(net.config().optimizer(), net.parameters());
  }

  @Override
  public StepReport step(Batch batch, Rng rng) {
    int n = batch.size();
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = rng.nextInt(schedule.steps());
    }
    int[] labels = null;
    if (net.config().conditional()) {
      labels = batch.labels().clone();
      for (int i = 0; i < n; i++) {
        if (rng.nextDouble() < net.config().labelDropout()) {
          labels[i] = -1;
        }
      }
    }
    INDArray x0 = batch.images();
    INDArray noise = rng.gaussian(x0.dataType(), x0.shape());
    INDArray xt = noised(schedule, x0, t, noise);
    Map<String, INDArray> in = net.inputs(xt, t, labels);
    in.put(DiffusionNetwork.NOISE, noise);
    OutAndGrad result = net.train.calculateGradientsAndOutputs(in, List.of(net.loss), net.trainableNames);
    adam.update(net.parameters(), result.getGradients());
    Map<String, Double> metrics = new TreeMap<>();
    metrics.put("loss", result.getOutputs().get(net.loss).getDouble(0));
    return StepReport.of(metrics);
  }

  /** x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, per image (the closed form of q(x_t | x_0)). */
  static INDArray noised(NoiseSchedule schedule, INDArray x0, int[] t, INDArray noise) {
    int n = t.length;
    double[] a = new double[n];
    double[] s = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = Math.sqrt(schedule.alphaBar(t[i]));
      s[i] = Math.sqrt(1.0 - schedule.alphaBar(t[i]));
    }
    INDArray signal = Nd4j.createFromArray(a).castTo(x0.dataType()).reshape(n, 1, 1, 1);
    INDArray sigma = Nd4j.createFromArray(s).castTo(x0.dataType()).reshape(n, 1, 1, 1);
    return x0.mul(signal).addi(noise.mul(sigma));
  }

  @Override
  public NamedArrays optimizerState() {
    return adam.state();
  }
}
