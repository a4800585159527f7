package io.sparkgen.model.flow;

import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.Sampler;
import io.sparkgen.model.SamplerOptions;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.random.Seeds;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Sampling with temperature (Glow, Sec. 5): z ~ N(0, T^2 I), x = f^-1(z), then the inverse logit
 * transform, clipped to the pixel range and returned in [-1, 1]. Runs on its own copy of the
 * weights; shares the network's buffers (the 1x1 convolutions' fixed P and sign(s)).
 */
public final class FlowSampler implements Sampler {

  private final FlowNetwork inverseNet;
  private final Dequantization dequantization;

  public FlowSampler(FlowNetwork source) {
    this.inverseNet = new FlowNetwork(source.config(), 0L, source.type(), source.buffers());
    this.dequantization = new Dequantization(source.config().logitAlpha());
  }

  /** At the request's {@code temperature} option, else the config's. */
  @Override
  public INDArray sample(NamedArrays weights, SampleRequest request) {
    SamplerOptions options = request.options().requireKnown("flow", java.util.Set.of("temperature"));
    return sample(weights, request, options.number("temperature", inverseNet.config().temperature()));
  }

  public INDArray sample(NamedArrays weights, SampleRequest request, double temperature) {
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    inverseNet.parameters().assignFrom(weights);
    long[] one = inverseNet.latentShape(1);
    long[] shape = inverseNet.latentShape(request.count());
    INDArray z = Nd4j.create(inverseNet.type(), shape);
    for (int i = 0; i < request.count(); i++) {
      Rng rng = new Rng(Seeds.forImage(request.seed(), request.firstIndex() + i));
      z.putSlice(i, rng.gaussian(inverseNet.type(), one).muli(temperature).reshape(shape[1], shape[2], shape[3]));
    }
    INDArray y = dequantization.inverse(inverseNet.inverse(z, request.labels()));
    INDArray image = Transforms.min(Transforms.max(y, 0.0, false), 1.0, false).muli(2.0).subi(1.0);
    return image.castTo(inverseNet.type());
  }
}
