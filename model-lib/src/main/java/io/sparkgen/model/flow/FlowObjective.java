package io.sparkgen.model.flow;

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
 * One Adam step on the exact negative log-likelihood of a batch in bits per dimension (Glow,
 * Kingma &amp; Dhariwal 2018, Sec. 2): the images are dequantised with noise from the step's
 * stream and logit-transformed ({@link Dequantization}). On the very first step the ActNorm layers
 * are initialised from that batch (Glow, Sec. 3.1), so the result depends only on the seed.
 */
public final class FlowObjective implements Objective {

  private final FlowNetwork net;
  private final Dequantization dequantization;
  private final Adam adam;

  public FlowObjective(FlowNetwork net) {
    this.net = net;
    this.dequantization = new Dequantization(net.config().logitAlpha());
    this.adam = new Adam(net.config().optimizer(), net.parameters());
  }

  @Override
  public StepReport step(Batch batch, Rng rng) {
    Dequantization.Prepared prepared = dequantization.prepare(batch.images(), rng, net.type());
    INDArray x = prepared.x();
    double[] logDetLogit = prepared.logDet();
    if (!net.actNormInitialised()) {
      net.initialiseActNorm(x, batch.labels());
    }
    Map<String, Double> metrics = new TreeMap<>();
    try (Backprop.Result result =
        Backprop.run(
            net.density, net.inputs(FlowNetwork.X, x, batch.labels()), List.of(net.loss, net.logPx, net.logDet),
            net.trainableNames)) {
      adam.update(net.parameters(), result.gradients());
      Map<String, INDArray> out = result.outputs();
      double[] logPx = out.get(net.logPx).toDoubleVector();
      long d = net.config().image().dimensions();
      double bits = 0;
      double logPy = 0;
      for (int i = 0; i < logPx.length; i++) {
        bits += Dequantization.bitsPerDim(logPx[i], logDetLogit[i], d) / logPx.length;
        logPy += (logPx[i] + logDetLogit[i]) / logPx.length;
      }
      metrics.put("loss", bits);
      metrics.put("bits_per_dim", bits);
      metrics.put("log_py_nats", logPy);
      metrics.put("log_det_nats", out.get(net.logDet).meanNumber().doubleValue());
    }
    return StepReport.of(metrics);
  }

  @Override
  public NamedArrays optimizerState() {
    return adam.state();
  }
}
