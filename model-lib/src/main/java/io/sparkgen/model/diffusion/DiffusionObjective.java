package io.sparkgen.model.diffusion;

import io.sparkgen.model.Batch;
import io.sparkgen.model.Objective;
import io.sparkgen.model.StepReport;
import io.sparkgen.model.nn.Backprop;
import io.sparkgen.model.optim.Adam;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
    int[] labels = net.config().conditional() ? batch.labels() : null;
    Noised draw = noise(schedule, batch.images(), labels, net.config().labelDropout(), rng);
    Map<String, INDArray> in = net.inputs(draw.xt(), draw.t(), draw.labels());
    in.put(DiffusionNetwork.NOISE, draw.noise());
    Map<String, Double> metrics = new TreeMap<>();
    try (Backprop.Result result = Backprop.run(net.train, in, List.of(net.loss), net.trainableNames)) {
      adam.update(net.parameters(), result.gradients());
      metrics.put("loss", result.outputs().get(net.loss).getDouble(0));
    }
    return StepReport.of(metrics);
  }

  /** One training example's draws: timesteps, labels (-1 where dropped; null when unconditional), noise, x_t. */
  public record Noised(int[] t, int[] labels, INDArray noise, INDArray xt) {}

  /**
   * The random half of Algorithm 1 for clean data x_0 [N, ...] of any shape: t ~ U{0, .., T-1}
   * per example, then (when {@code labels} is not null) each label dropped with probability
   * {@code labelDropout}, then eps ~ N(0, I); and x_t. Draws in that order from {@code rng}.
   */
  public static Noised noise(NoiseSchedule schedule, INDArray x0, int[] labels, double labelDropout, Rng rng) {
    int n = (int) x0.size(0);
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = rng.nextInt(schedule.steps());
    }
    int[] kept = null;
    if (labels != null) {
      kept = labels.clone();
      for (int i = 0; i < n; i++) {
        if (rng.nextDouble() < labelDropout) {
          kept[i] = -1;
        }
      }
    }
    INDArray noise = rng.gaussian(x0.dataType(), x0.shape());
    return new Noised(t, kept, noise, noised(schedule, x0, t, noise));
  }

  /** x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, per example (the closed form of q(x_t | x_0)). */
  static INDArray noised(NoiseSchedule schedule, INDArray x0, int[] t, INDArray noise) {
    int n = t.length;
    double[] a = new double[n];
    double[] s = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = Math.sqrt(schedule.alphaBar(t[i]));
      s[i] = Math.sqrt(1.0 - schedule.alphaBar(t[i]));
    }
    long[] perExample = new long[x0.rank()];
    java.util.Arrays.fill(perExample, 1L);
    perExample[0] = n;
    INDArray signal = Nd4j.createFromArray(a).castTo(x0.dataType()).reshape(perExample);
    INDArray sigma = Nd4j.createFromArray(s).castTo(x0.dataType()).reshape(perExample);
    return x0.mul(signal).addi(noise.mul(sigma));
  }

  @Override
  public NamedArrays optimizerState() {
    return adam.state();
  }
}
