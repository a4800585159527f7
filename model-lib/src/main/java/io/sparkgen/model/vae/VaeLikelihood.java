package io.sparkgen.model.vae;

import io.sparkgen.model.Batch;
import io.sparkgen.model.Likelihood;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Log-likelihood bounds of a trained VAE per image, in nats: the ELBO (Kingma &amp; Welling 2014)
 * and the importance-weighted bound L_K = log (1/K) sum_k p(x, z_k) / q(z_k|x) (Burda, Grosse &amp;
 * Salakhutdinov 2016, eq. 8), with ELBO = L_1 &lt;= L_K &lt;= log p(x) in expectation.
 */
public final class VaeLikelihood implements Likelihood {

  private static final double LOG_2PI = Math.log(2.0 * Math.PI);
  /** Importance samples of the reported L_K (Burda et al. report K = 5000; 64 keeps evaluation cheap). */
  static final int IWAE_SAMPLES = 64;

  private final VaeNetwork net;

  /** Bounds computed with {@code net}'s current weights (the {@link Likelihood} view assigns its own). */
  public VaeLikelihood(VaeNetwork net) {
    this.net = net;
  }

  /** ELBO and L_64 per binarised image in nats, with {@code weights}. */
  @Override
  public Map<String, double[]> perImage(NamedArrays weights, Batch batch, Rng rng) {
    net.parameters().assignFrom(weights);
    INDArray x = VaeNetwork.binarize(batch.images());
    Map<String, double[]> out = new TreeMap<>();
    out.put("elbo-nats", elbo(x, batch.labels(), rng, 1));
    out.put("iwae-" + IWAE_SAMPLES + "-nats", importanceWeighted(x, batch.labels(), rng, IWAE_SAMPLES));
    return out;
  }

  @Override
  public String protocol() {
    return "binarised images (pixel > 0.5), Bernoulli decoder; ELBO with 1 latent draw, L_" + IWAE_SAMPLES
        + " importance-weighted bound";
  }

  /** ELBO per image: analytic KL, E_q[log p(x|z)] averaged over {@code samples} draws. */
  public double[] elbo(INDArray xBinary, int[] labels, Rng rng, int samples) {
    INDArray[] q = net.encode(xBinary, labels);
    int n = (int) xBinary.size(0);
    double[] kl = net.klPerImage(xBinary, labels).castTo(DataType.DOUBLE).toDoubleVector();
    double[] elbo = new double[n];
    for (int s = 0; s < samples; s++) {
      double[] lp = logPxGivenZ(xBinary, labels, q, rng.gaussian(q[0].dataType(), q[0].shape()));
      for (int i = 0; i < n; i++) {
        elbo[i] += lp[i] / samples;
      }
    }
    for (int i = 0; i < n; i++) {
      elbo[i] -= kl[i];
    }
    return elbo;
  }

  /** L_K per image, accumulated with a running log-sum-exp in double precision. */
  public double[] importanceWeighted(INDArray xBinary, int[] labels, Rng rng, int k) {
    INDArray[] q = net.encode(xBinary, labels);
    int n = (int) xBinary.size(0);
    INDArray mu = q[0].castTo(DataType.DOUBLE);
    INDArray logVar = q[1].castTo(DataType.DOUBLE);
    double[] max = new double[n];
    double[] sum = new double[n];
    java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
    for (int j = 0; j < k; j++) {
      INDArray eps = rng.gaussian(q[0].dataType(), q[0].shape());
      double[] lp = logPxGivenZ(xBinary, labels, q, eps);
      INDArray e = eps.castTo(DataType.DOUBLE);
      INDArray z = mu.add(Transforms.exp(logVar.mul(0.5), false).mul(e));
      // log p(z) = -0.5 sum(z^2 + log 2 pi); log q(z|x) = -0.5 sum(eps^2 + logvar + log 2 pi).
      double[] logPz = z.mul(z).addi(LOG_2PI).sum(1).muli(-0.5).toDoubleVector();
      double[] logQz = e.mul(e).addi(logVar).addi(LOG_2PI).sum(1).muli(-0.5).toDoubleVector();
      for (int i = 0; i < n; i++) {
        double logW = lp[i] + logPz[i] - logQz[i];
        if (logW > max[i]) {
          sum[i] = sum[i] * Math.exp(max[i] - logW) + 1.0;
          max[i] = logW;
        } else {
          sum[i] += Math.exp(logW - max[i]);
        }
      }
    }
    double[] bound = new double[n];
    for (int i = 0; i < n; i++) {
      bound[i] = max[i] + Math.log(sum[i] / k);
    }
    return bound;
  }

  /** log p(x|z) per image for z = mu + exp(logvar / 2) eps. */
  private double[] logPxGivenZ(INDArray xBinary, int[] labels, INDArray[] q, INDArray eps) {
    INDArray z = q[0].add(Transforms.exp(q[1].mul(0.5), false).muli(eps));
    INDArray l = net.decodeLogits(z, labels).castTo(DataType.DOUBLE);
    INDArray x = xBinary.castTo(DataType.DOUBLE);
    return Transforms.softPlus(l, true).subi(x.mul(l)).sum(1, 2, 3).negi().toDoubleVector();
  }
}
