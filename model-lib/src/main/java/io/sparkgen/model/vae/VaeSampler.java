package io.sparkgen.model.vae;

import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.Sampler;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.random.Seeds;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Ancestral sampling z ~ N(0, I), image = E[x|z] = sigmoid(decoder(z)) (the tutorial shows the
 * Bernoulli means), returned in [-1, 1]. Runs on its own copy of the decoder's weights.
 */
public final class VaeSampler implements Sampler {

  private final VaeConfig config;
  private final VaeNetwork decoderNet;

  public VaeSampler(VaeConfig config, DataType type) {
    this.config = config;
    this.decoderNet = new VaeNetwork(config, 0L, type);
  }

  @Override
  public INDArray sample(NamedArrays weights, SampleRequest request) {
    request.options().requireKnown("vae", java.util.Set.of());
    decoderNet.parameters().assignFrom(weights);
    INDArray z = Nd4j.create(decoderNet.parameters().get("dec/dense/W").dataType(), request.count(), config.latentDim());
    for (int i = 0; i < request.count(); i++) {
      Rng rng = new Rng(Seeds.forImage(request.seed(), request.firstIndex() + i));
      z.putRow(i, rng.gaussian(z.dataType(), config.latentDim()));
    }
    INDArray p = Transforms.sigmoid(decoderNet.decodeLogits(z, request.labels()), false);
    return p.muli(2.0).subi(1.0);
  }
}
