package io.sparkgen.model.optim;

import io.sparkgen.model.params.NamedArrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam (Kingma &amp; Ba 2015, Algorithm 1 in the efficient form of Sec. 2) over one player's named
 * parameters. Its state — first moments {@code m/<name>}, second moments {@code v/<name>} and the
 * step count {@code t} — is an explicit {@link NamedArrays}, so that it can be averaged across
 * workers and checkpointed like the parameters.
 */
public final class Adam {

  private final AdamConfig config;
  private final NamedArrays state = NamedArrays.empty();
  private final Map<String, INDArray> scratch = new HashMap<>();

  /** Zero moments for every parameter in {@code parameters}. */
  public Adam(AdamConfig config, NamedArrays parameters) {
    this.config = config;
    parameters.asMap().forEach(
        (name, p) -> {
          state.put("m/" + name, Nd4j.zeros(p.dataType(), p.shape()));
          state.put("v/" + name, Nd4j.zeros(p.dataType(), p.shape()));
        });
    state.put("t", Nd4j.scalar(org.nd4j.linalg.api.buffer.DataType.FLOAT, 0f).reshape(1));
  }

  public NamedArrays state() {
    return state;
  }

  public AdamConfig config() {
    return config;
  }

  /**
   * One update of every parameter that has a gradient: t += 1; m = b1 m + (1-b1) g; v = b2 v +
   * (1-b2) g^2; alpha_t = alpha sqrt(1-b2^t) / (1-b1^t); theta -= alpha_t m / (sqrt(v) + eps_hat).
   */
  public void update(NamedArrays parameters, Map<String, INDArray> gradients) {
    INDArray tArray = state.get("t");
    double t = tArray.getDouble(0) + 1.0;
    tArray.putScalar(0, t);
    double b1 = config.beta1();
    double b2 = config.beta2();
    double alphaT = config.learningRate() * Math.sqrt(1.0 - Math.pow(b2, t)) / (1.0 - Math.pow(b1, t));
    for (Map.Entry<String, INDArray> e : gradients.entrySet()) {
      String name = e.getKey();
      INDArray g = e.getValue();
      INDArray theta = parameters.get(name);
      INDArray m = state.get("m/" + name);
      INDArray v = state.get("v/" + name);
      INDArray scratch = scratch(name, theta);
      m.muli(b1).addi(scratch.assign(g).muli(1.0 - b1));
      v.muli(b2).addi(scratch.assign(g).muli(g).muli(1.0 - b2));
      Nd4j.exec(new Sqrt(v, scratch));
      theta.subi(scratch.addi(config.epsilon()).rdivi(m).muli(alphaT));
    }
  }

  /**
   * A work array of {@code theta}'s shape, kept between steps: the update is written in place so
   * that a step allocates no memory (fresh native memory is what costs, see nn.Backprop).
   */
  private INDArray scratch(String name, INDArray theta) {
    INDArray s = scratch.get(name);
    if (s == null || !s.equalShapes(theta) || s.dataType() != theta.dataType()) {
      s = Nd4j.createUninitialized(theta.dataType(), theta.shape());
      scratch.put(name, s);
    }
    return s;
  }
}
