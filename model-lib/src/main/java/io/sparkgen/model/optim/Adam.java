package io.sparkgen.model.optim;

import io.sparkgen.model.params.NamedArrays;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam (Kingma &amp; Ba 2015, Algorithm 1 in the efficient form of Sec. 2) over one player's named
 * parameters. Its state — first moments {@code m/<name>}, second moments {@code v/<name>} and the
 * step count {@code t} — is an explicit {@link NamedArrays}, so that it can be averaged across
 * workers and checkpointed like the parameters.
 */
public final class Adam {

  private final AdamConfig config;
  private final NamedArrays state = NamedArrays.empty();

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
      m.muli(b1).addi(g.mul(1.0 - b1));
      v.muli(b2).addi(g.mul(g).muli(1.0 - b2));
      INDArray step = m.div(Transforms.sqrt(v, true).addi(config.epsilon())).muli(alphaT);
      theta.subi(step);
    }
  }
}
