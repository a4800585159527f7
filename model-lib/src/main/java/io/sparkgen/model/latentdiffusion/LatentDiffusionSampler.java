package io.sparkgen.model.latentdiffusion;

import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.Sampler;
import io.sparkgen.model.diffusion.DiffusionSampling;
import io.sparkgen.model.params.NamedArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Samples scaled latents with the reverse processes of {@link DiffusionSampling} (no {@code clip}
 * option: latents are not confined to [-1, 1]) on its own copy of the denoiser's weights, then
 * decodes them with the model's frozen autoencoder (its live buffers) to the VAE decoder's
 * Bernoulli means in [-1, 1].
 */
public final class LatentDiffusionSampler implements Sampler {

  private final LatentDiffusionNetwork denoiser;
  private final LatentDiffusionNetwork model;

  /** A sampler that decodes with {@code model}'s buffers. */
  public LatentDiffusionSampler(LatentDiffusionNetwork model) {
    this.model = model;
    this.denoiser = new LatentDiffusionNetwork(model.config(), 0L, model.type());
  }

  @Override
  public INDArray sample(NamedArrays weights, SampleRequest request) {
    LatentDiffusionConfig c = model.config();
    denoiser.parameters().assignFrom(weights);
    DiffusionSampling.Setup setup = new DiffusionSampling.Setup(LatentDiffusionFamily.ID, c.noiseSchedule(), c.sampler(),
        c.samplerSteps(), c.guidance(), c.conditional(), false);
    INDArray z = DiffusionSampling.sample(setup, denoiser::epsilon, model.type(), new long[] {c.latentDim()}, request);
    return model.decode(z, request.labels());
  }
}
