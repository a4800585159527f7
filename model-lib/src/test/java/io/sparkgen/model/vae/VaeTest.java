package io.sparkgen.model.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.Batch;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.StepReport;
import io.sparkgen.model.nn.GradientCheck;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.random.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class VaeTest {

  private static final VaeConfig TINY =
      new VaeConfig(new ImageShape(1, 8, 8), 0, 4, 2, 3, List.of(4, 4), 4, List.of(4, 4), AdamConfig.of(1e-3, 0.9));

  /** A double-precision tiny VAE whose encoder gives mu ~ (1, -0.5), logvar ~ (-1, 0.5): a KL well away from 0. */
  private static VaeNetwork shiftedNetwork() {
    VaeNetwork net = new VaeNetwork(TINY, 5L, DataType.DOUBLE);
    net.parameters().get("enc/out/b").assign(org.nd4j.linalg.factory.Nd4j.createFromArray(1.0, -0.5, -1.0, 0.5).reshape(1, 4));
    return net;
  }

  private static INDArray binaryImages(int n) {
    return VaeNetwork.binarize(new Rng(8).uniform(DataType.DOUBLE, -1, 1, n, 1, 8, 8));
  }

  @Test
  void analyticKlMatchesAMonteCarloEstimate() {
    VaeNetwork net = shiftedNetwork();
    INDArray x = binaryImages(3);
    double[] analytic = net.klPerImage(x, null).toDoubleVector();
    INDArray[] q = net.encode(x, null);
    Rng rng = new Rng(21);
    int samples = 40_000;
    for (int i = 0; i < 3; i++) {
      double sum = 0;
      double sq = 0;
      for (int s = 0; s < samples; s++) {
        // log q(z|x) - log p(z) at z = mu + sigma eps; the log 2 pi terms cancel.
        double d = 0;
        for (int j = 0; j < TINY.latentDim(); j++) {
          double mu = q[0].getDouble(i, j);
          double logVar = q[1].getDouble(i, j);
          double eps = rng.nextGaussian();
          double z = mu + Math.exp(0.5 * logVar) * eps;
          d += -0.5 * (eps * eps + logVar) + 0.5 * z * z;
        }
        sum += d;
        sq += d * d;
      }
      double mean = sum / samples;
      double stderr = Math.sqrt((sq / samples - mean * mean) / samples);
      assertTrue(analytic[i] > 0.3, "KL too small to test: " + analytic[i]);
      assertEquals(analytic[i], mean, 4 * stderr, "image " + i);
    }
  }

  @Test
  void elboIsBelowTheImportanceWeightedBound() {
    VaeNetwork net = shiftedNetwork();
    INDArray x = binaryImages(4);
    VaeLikelihood likelihood = new VaeLikelihood(net);
    double[] elbo = likelihood.elbo(x, null, new Rng(1), 100);
    double[] iwae1 = likelihood.importanceWeighted(x, null, new Rng(2), 1);
    double[] iwae = likelihood.importanceWeighted(x, null, new Rng(3), 100);
    for (int i = 0; i < elbo.length; i++) {
      assertTrue(iwae[i] > elbo[i], "image " + i + ": L_100 " + iwae[i] + " <= ELBO " + elbo[i]);
      assertTrue(elbo[i] < 0 && iwae[i] < 0, "log-likelihoods of binary images must be negative");
      // L_1 is a one-sample ELBO estimate: it scatters around the ELBO.
      assertEquals(elbo[i], iwae1[i], 15.0);
    }
  }

  @Test
  void reportsTheElboInNatsAndBitsPerDimension() {
    GenerativeModel model = new VaeFamily().create(TINY, 3L);
    INDArray x = new Rng(4).uniform(DataType.FLOAT, -1, 1, 4, 1, 8, 8);
    StepReport r = model.objective().step(new Batch(x, null), new Rng(5));
    assertEquals(-r.get("elbo_nats") / (64 * Math.log(2)), r.get("bits_per_dim"), 1e-9);
    assertEquals(r.get("log_px_given_z_nats") - r.get("kl_nats"), r.get("elbo_nats"), 1e-4);
    assertEquals(-r.get("elbo_nats"), r.get("loss"), 1e-4);
    // At initialisation the decoder's logits are near 0: close to 1 bit per binary pixel.
    assertEquals(1.0, r.get("bits_per_dim"), 0.1);
  }

  @Test
  void trainingGraphGradientsMatchFiniteDifferences() {
    VaeNetwork net = new VaeNetwork(TINY, 5L, DataType.DOUBLE);
    net.parameters().asMap().forEach((n, a) -> a.addi(new Rng(n.hashCode()).gaussian(DataType.DOUBLE, a.shape()).muli(0.1)));
    Map<String, INDArray> in = Map.of(VaeNetwork.X, binaryImages(2), VaeNetwork.EPS, new Rng(4).gaussian(DataType.DOUBLE, 2, 2));
    double error = GradientCheck.maxRelativeError(net.train, in, net.loss, new ArrayList<>(net.parameters().names()), 1e-6, 13);
    assertTrue(error < 1e-3, "max relative error " + error);
  }

  @Test
  void rgb32x32WithTheDefaultLayersWorks() {
    VaeConfig rgb =
        new VaeConfig(new ImageShape(3, 32, 32), 10, 8, 16, 3, List.of(32, 64), 32, List.of(64, 32), AdamConfig.of(1e-4, 0.9));
    GenerativeModel model = new VaeFamily().create(rgb, 1L);
    INDArray x = model.sampler().sample(model.network().parameters(), new SampleRequest(1L, 0, 2, new int[] {3, 9}));
    assertArrayEquals(new long[] {2, 3, 32, 32}, x.shape());
    StepReport r = model.objective().step(new Batch(new Rng(1).uniform(DataType.FLOAT, -1, 1, 2, 3, 32, 32), new int[] {0, 1}), new Rng(2));
    assertTrue(r.allFinite(), r.toString());
  }
}
