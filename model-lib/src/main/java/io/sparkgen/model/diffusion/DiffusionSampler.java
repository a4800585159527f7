package io.sparkgen.model.diffusion;

import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.Sampler;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Draws images with one of the reverse processes of {@link DiffusionSolvers}, on its own copy of
 * the weights, with the options of {@link DiffusionSampling} ({@code clip} included: images lie in
 * [-1, 1]).
 */
public final class DiffusionSampler implements Sampler {

  private final DiffusionNetwork net;
  private final NoiseSchedule schedule;

  public DiffusionSampler(DiffusionConfig config, org.nd4j.linalg.api.buffer.DataType type) {
    this.net = new DiffusionNetwork(config, 0L, type);
    this.schedule = config.noiseSchedule();
  }

  @Override
  public INDArray sample(NamedArrays weights, SampleRequest request) {
    DiffusionConfig c = net.config();
    net.parameters().assignFrom(weights);
    DiffusionSampling.Setup setup = new DiffusionSampling.Setup(
        DiffusionFamily.ID, schedule, c.sampler(), c.samplerSteps(), c.guidance(), c.conditional(), true);
    long[] shape = {c.image().channels(), c.image().height(), c.image().width()};
    INDArray x = DiffusionSampling.sample(setup, net::epsilon, net.type(), shape, request);
    return Transforms.min(Transforms.max(x, -1.0, false), 1.0, false);
  }

  /**
   * Deterministic DDIM inversion of real images to x_T (for interpolation and round trips), with
   * the model's labels as in sampling and no guidance.
   */
  public INDArray invert(NamedArrays weights, INDArray images, int[] labels, int steps) {
    net.parameters().assignFrom(weights);
    return solvers(labels).ddimInvert(images, steps);
  }

  /** Deterministic DDIM (eta = 0, no clipping) from given x_T: the inverse of {@link #invert}. */
  public INDArray decode(NamedArrays weights, INDArray xT, int[] labels, int steps) {
    net.parameters().assignFrom(weights);
    return solvers(labels).ddim(xT, new Rng[0], steps, 0.0);
  }

  private DiffusionSolvers solvers(int[] labels) {
    return new DiffusionSolvers(schedule, DiffusionSampling.predictor(net::epsilon, net.config().conditional(), labels, 1.0),
        false, NoiseSchedule.Spacing.LOGSNR);
  }
}
