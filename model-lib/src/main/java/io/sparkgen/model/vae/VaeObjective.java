package io.sparkgen.model.vae;

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

/**
 * One Adam step on the negative ELBO of a batch (single-sample reparameterised estimate of
 * E_q[log p(x|z)], analytic KL; Kingma &amp; Welling 2014, eq. 10). Reports the ELBO in nats per
 * image and in bits per dimension, -ELBO / (D ln 2).
 */
public final class VaeObjective implements Objective {

  private final VaeNetwork net;
  private final Adam adam;

  public VaeObjective(VaeNetwork net) {
    this.net = net;
    this.adam = new Adam(net.config().optimizer(), net.parameters());
  }

  @Override
  public StepReport step(Batch batch, Rng rng) {
    INDArray x = VaeNetwork.binarize(batch.images());
    INDArray eps = rng.gaussian(x.dataType(), batch.size(), net.config().latentDim());
    Map<String, INDArray> in = net.inputs(VaeNetwork.X, x, batch.labels());
    in.put(VaeNetwork.EPS, eps);
    Map<String, Double> metrics = new TreeMap<>();
    try (Backprop.Result result =
        Backprop.run(net.train, in, List.of(net.loss, net.elbo, net.kl, net.logPxGivenZ), net.trainableNames)) {
      adam.update(net.parameters(), result.gradients());
      Map<String, INDArray> out = result.outputs();
      double elbo = out.get(net.elbo).meanNumber().doubleValue();
      metrics.put("loss", out.get(net.loss).getDouble(0));
      metrics.put("elbo_nats", elbo);
      metrics.put("bits_per_dim", -elbo / (net.config().image().dimensions() * Math.log(2.0)));
      metrics.put("kl_nats", out.get(net.kl).meanNumber().doubleValue());
      metrics.put("log_px_given_z_nats", out.get(net.logPxGivenZ).meanNumber().doubleValue());
    }
    return StepReport.of(metrics);
  }

  @Override
  public NamedArrays optimizerState() {
    return adam.state();
  }
}
