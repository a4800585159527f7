package io.sparkgen.model.diffusion;

import io.sparkgen.model.random.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The reverse processes, written against any noise predictor so that they can be checked on a
 * model whose exact answer is known. Notation: abar_t from the {@link NoiseSchedule}, x0hat =
 * (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t). When {@code clip} is set, x0hat is clipped to
 * [-1, 1] and eps recomputed from it (Ho et al.'s sampler; diffusers' {@code clip_sample}), so
 * every sampler sees one consistent (x0hat, eps) pair. DDIM and DPM-Solver++ take their steps on
 * {@link NoiseSchedule#spacedTimesteps} with the given spacing. Fresh noise z of a step is drawn only
 * where the step adds noise, one draw per image from that image's own stream.
 */
final class DiffusionSolvers {

  /** eps_theta(x, t) for a batch at one timestep. */
  @FunctionalInterface
  interface NoisePredictor {
    INDArray epsilon(INDArray x, int t);
  }

  private final NoiseSchedule schedule;
  private final NoisePredictor model;
  private final boolean clip;
  private final NoiseSchedule.Spacing spacing;

  DiffusionSolvers(NoiseSchedule schedule, NoisePredictor model, boolean clip, NoiseSchedule.Spacing spacing) {
    this.schedule = schedule;
    this.model = model;
    this.clip = clip;
    this.spacing = spacing;
  }

  /**
   * Ancestral sampling over all T steps (Ho et al. 2020, Algorithm 2), with the posterior mean
   * written through x0hat (their eq. 7) and variance beta_t ("large") or the posterior's
   * betatilde_t = beta_t (1 - abar_{t-1}) / (1 - abar_t) ("small"); no noise at t = 0.
   */
  INDArray ddpm(INDArray xT, Rng[] rngs, boolean largeVariance) {
    INDArray x = xT.dup();
    for (int t = schedule.steps() - 1; t >= 0; t--) {
      double a = schedule.alphaBar(t);
      double aPrev = schedule.alphaBar(t - 1);
      double beta = schedule.beta(t);
      INDArray[] pred = predict(x, t);
      double c0 = beta * Math.sqrt(aPrev) / (1 - a);
      double ct = (1 - aPrev) * Math.sqrt(1 - beta) / (1 - a);
      INDArray mean = pred[0].muli(c0).addi(x.muli(ct));
      double variance = largeVariance ? beta : beta * (1 - aPrev) / (1 - a);
      x = t > 0 ? mean.addi(noise(rngs, x).muli(Math.sqrt(variance))) : mean;
    }
    return x;
  }

  /**
   * DDIM (Song, Meng &amp; Ermon 2021, eq. 12) on the spaced timesteps: x_prev =
   * sqrt(abar_prev) x0hat + sqrt(1 - abar_prev - sigma^2) eps + sigma z, sigma = eta sqrt((1 -
   * abar_prev) / (1 - abar_t)) sqrt(1 - abar_t / abar_prev). eta = 0 is deterministic; eta = 1
   * over all T steps is DDPM with the "small" variance.
   */
  INDArray ddim(INDArray xT, Rng[] rngs, int steps, double eta) {
    int[] ts = schedule.spacedTimesteps(steps, spacing);
    INDArray x = xT.dup();
    for (int i = ts.length - 1; i >= 0; i--) {
      double a = schedule.alphaBar(ts[i]);
      double aPrev = i > 0 ? schedule.alphaBar(ts[i - 1]) : 1.0;
      INDArray[] pred = predict(x, ts[i]);
      double sigma = eta * Math.sqrt((1 - aPrev) / (1 - a)) * Math.sqrt(1 - a / aPrev);
      x = pred[0].muli(Math.sqrt(aPrev)).addi(pred[1].muli(Math.sqrt(Math.max(0.0, 1 - aPrev - sigma * sigma))));
      if (sigma > 0) {
        x.addi(noise(rngs, x).muli(sigma));
      }
    }
    return x;
  }

  /**
   * Deterministic DDIM run forwards (Song et al. 2021, Sec. 4.3; Dhariwal &amp; Nichol 2021, App.
   * F): from x_0 up the same timesteps, using at each step the prediction the sampler will use
   * at the step's upper end, evaluated at its lower end (eps_theta(x_prev, t) for eps_theta(x_t,
   * t)). No clipping. The exact inverse of {@link #ddim} with eta = 0 as far as eps_theta is
   * locally constant.
   */
  INDArray ddimInvert(INDArray x0, int steps) {
    int[] ts = schedule.spacedTimesteps(steps, spacing);
    INDArray x = x0.dup();
    for (int i = 0; i < ts.length; i++) {
      double aPrev = i > 0 ? schedule.alphaBar(ts[i - 1]) : 1.0;
      double a = schedule.alphaBar(ts[i]);
      INDArray eps = model.epsilon(x, ts[i]);
      INDArray x0hat = x.sub(eps.mul(Math.sqrt(1 - aPrev))).divi(Math.sqrt(aPrev));
      x = x0hat.muli(Math.sqrt(a)).addi(eps.muli(Math.sqrt(1 - a)));
    }
    return x;
  }

  /**
   * DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", Algorithm 2), the multistep second-order
   * solver of the probability-flow ODE in data prediction, on {@link
   * NoiseSchedule#spacedTimesteps}: with alpha_t = sqrt(abar_t), sigma_t = sqrt(1 - abar_t),
   * lambda_t = log(alpha_t / sigma_t), h = lambda_next - lambda_t and D = x0hat,
   *   x_next = (sigma_next / sigma_t) x - alpha_next (e^{-h} - 1) D',
   * D' = D on the first step, else (1 + 1/(2r)) D - 1/(2r) D_prev with r = h_prev / h. The last
   * step, to the clean image (sigma = 0), is first order: x_0 = D.
   */
  INDArray dpmSolver2m(INDArray xT, int steps) {
    int[] ts = schedule.spacedTimesteps(steps, spacing);
    INDArray x = xT.dup();
    INDArray previous = null;
    double previousH = Double.NaN;
    for (int i = ts.length - 1; i >= 0; i--) {
      INDArray d = predict(x, ts[i])[0];
      if (i == 0) {
        return d;
      }
      double a = schedule.alphaBar(ts[i]);
      double aNext = schedule.alphaBar(ts[i - 1]);
      double h = lambda(aNext) - lambda(a);
      INDArray dHat = d;
      if (previous != null) {
        double r = previousH / h;
        dHat = d.mul(1 + 1 / (2 * r)).subi(previous.mul(1 / (2 * r)));
      }
      x = x.muli(Math.sqrt((1 - aNext) / (1 - a))).subi(dHat.mul(Math.sqrt(aNext) * Math.expm1(-h)));
      previous = d;
      previousH = h;
    }
    return x;
  }

  private static double lambda(double alphaBar) {
    return 0.5 * Math.log(alphaBar / (1 - alphaBar));
  }

  /** {x0hat, eps} at (x, t), clipped and made consistent when {@code clip}. */
  private INDArray[] predict(INDArray x, int t) {
    double a = schedule.alphaBar(t);
    INDArray eps = model.epsilon(x, t);
    INDArray x0hat = x.sub(eps.mul(Math.sqrt(1 - a))).divi(Math.sqrt(a));
    if (clip) {
      x0hat = Transforms.min(Transforms.max(x0hat, -1.0, false), 1.0, false);
      eps = x.sub(x0hat.mul(Math.sqrt(a))).divi(Math.sqrt(1 - a));
    }
    return new INDArray[] {x0hat, eps};
  }

  /** One standard normal sample per row of {@code like} (of any rank), each from its own stream. */
  static INDArray noise(Rng[] rngs, INDArray like) {
    long[] shape = like.shape();
    long[] one = java.util.Arrays.copyOfRange(shape, 1, shape.length);
    INDArray z = Nd4j.create(like.dataType(), shape);
    for (int i = 0; i < rngs.length; i++) {
      z.putSlice(i, rngs[i].gaussian(like.dataType(), one));
    }
    return z;
  }
}
