package io.sparkgen.model.vaegan;

import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.Sampler;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.vae.VaeSampler;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The VAE's ancestral sampler on the VAE-GAN's decoder: z ~ N(0, I), image = sigmoid(Dec(z)) on
 * [-1, 1], the x_p that D was trained to reject. It reads only the {@code dec/} weights.
 */
public final class VaeGanSampler implements Sampler {

  private final VaeSampler vae;

  public VaeGanSampler(VaeGanConfig config, DataType type) {
    this.vae = new VaeSampler(config.vae(), type);
  }

  @Override
  public INDArray sample(NamedArrays weights, SampleRequest request) {
    request.options().requireKnown(VaeGanFamily.ID, Set.of());
    return vae.sample(weights, request);
  }
}
