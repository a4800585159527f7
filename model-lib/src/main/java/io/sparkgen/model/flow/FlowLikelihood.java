package io.sparkgen.model.flow;

import io.sparkgen.model.Batch;
import io.sparkgen.model.Likelihood;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.Map;

/**
 * The flow's exact log-likelihood of 8-bit images in bits per dimension, with one uniform
 * dequantisation draw per image (the estimate Glow and RealNVP report; it bounds the discrete
 * likelihood from below). Runs on its own copy of the weights.
 */
public final class FlowLikelihood implements Likelihood {

  private final FlowNetwork net;
  private final Dequantization dequantization;

  public FlowLikelihood(FlowNetwork source) {
    this.net = new FlowNetwork(source.config(), 0L, source.type(), source.buffers());
    this.dequantization = new Dequantization(source.config().logitAlpha());
  }

  @Override
  public Map<String, double[]> perImage(NamedArrays weights, Batch batch, Rng rng) {
    net.parameters().assignFrom(weights);
    Dequantization.Prepared prepared = dequantization.prepare(batch.images(), rng, net.type());
    double[] logDetLogit = prepared.logDet();
    double[] logPx = net.forward(prepared.x(), batch.labels())[2].toDoubleVector();
    long d = net.config().image().dimensions();
    double[] bits = new double[logPx.length];
    for (int i = 0; i < bits.length; i++) {
      bits[i] = Dequantization.bitsPerDim(logPx[i], logDetLogit[i], d);
    }
    return Map.of("bits-per-dim", bits);
  }

  @Override
  public String protocol() {
    return "exact log-likelihood, 8-bit images, 1 uniform dequantisation draw per image, logit alpha "
        + dequantization.alpha();
  }
}
