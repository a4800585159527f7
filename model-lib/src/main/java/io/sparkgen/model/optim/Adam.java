package io.sparkgen.model.optim;

import io.sparkgen.model.params.NamedArrays;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
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
    float b1f = (float) b1;
    float b2f = (float) b2;
    float c1f = (float) (1.0 - b1);
    float c2f = (float) (1.0 - b2);
    float alphaTf = (float) alphaT;
    float epsf = (float) config.epsilon();
    double eps = config.epsilon();
    for (Map.Entry<String, INDArray> e : gradients.entrySet()) {
      String name = e.getKey();
      INDArray[] arrays = {parameters.get(name), state.get("m/" + name), state.get("v/" + name), e.getValue()};
      InPlace.apply(
          arrays,
          3,
          (a, n) -> {
            float[] theta = a[0];
            float[] m = a[1];
            float[] v = a[2];
            float[] g = a[3];
            for (int i = 0; i < n; i++) {
              m[i] = b1f * m[i] + c1f * g[i];
              v[i] = b2f * v[i] + c2f * g[i] * g[i];
              theta[i] -= alphaTf * m[i] / ((float) Math.sqrt(v[i]) + epsf);
            }
          },
          (a, n) -> {
            double[] theta = a[0];
            double[] m = a[1];
            double[] v = a[2];
            double[] g = a[3];
            for (int i = 0; i < n; i++) {
              m[i] = b1 * m[i] + (1.0 - b1) * g[i];
              v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
              theta[i] -= alphaT * m[i] / (Math.sqrt(v[i]) + eps);
            }
          });
    }
  }
}
