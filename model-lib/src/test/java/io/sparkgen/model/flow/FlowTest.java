package io.sparkgen.model.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.Batch;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.StepReport;
import io.sparkgen.model.nn.Forward;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.train.ImageDataset;
import io.sparkgen.model.train.LocalTrainer;
import io.sparkgen.model.train.TrainConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

class FlowTest {

  private static final double ALPHA = 0.05;

  private static FlowConfig config(ImageShape image, int classes, int steps, int hidden) {
    return new FlowConfig(image, classes, steps, hidden, ALPHA, 0.7, AdamConfig.of(1e-3, 0.9));
  }

  /** Images whose 8-bit levels are i.i.d. uniform on {0..255}, scaled to [-1, 1]. */
  private static INDArray uniformNoiseImages(Rng rng, long... shape) {
    INDArray levels = Transforms.floor(rng.uniform(DataType.DOUBLE, 0, 256, shape), false);
    return levels.divi(255.0).muli(2.0).subi(1.0);
  }

  /** A network with every parameter moved off its initialisation and ActNorm initialised on x. */
  private static FlowNetwork perturbed(FlowConfig c, DataType type, double scale, INDArray xLogit, int[] labels) {
    FlowNetwork net = new FlowNetwork(c, 5L, type);
    net.initialiseActNorm(xLogit, labels);
    net.parameters().asMap().forEach(
        (n, a) -> a.addi(new Rng(n.hashCode()).gaussian(DataType.DOUBLE, a.shape()).muli(scale).castTo(type)));
    return net;
  }

  @Test
  void onePassPreparationEqualsTheComposedSteps() {
    Dequantization dq = new Dequantization(ALPHA);
    INDArray images = uniformNoiseImages(new Rng(11), 5, 3, 6, 7);
    INDArray y = Dequantization.dequantise(Dequantization.levels(images), new Rng(12));
    Dequantization.Prepared prepared = dq.prepare(images, new Rng(12), DataType.DOUBLE);
    assertArrayEquals(images.shape(), prepared.x().shape());
    double xError = Transforms.abs(prepared.x().sub(dq.logit(y)), false).maxNumber().doubleValue();
    assertTrue(xError < 1e-12, "x error " + xError);
    double[] logDet = dq.logDet(y);
    for (int i = 0; i < logDet.length; i++) {
      assertEquals(logDet[i], prepared.logDet()[i], 1e-9 * Math.abs(logDet[i]), "log det of image " + i);
    }
    assertEquals(DataType.FLOAT, dq.prepare(images, new Rng(12), DataType.FLOAT).x().dataType());
  }

  @Test
  void xToZToXReconstructsWithin1e4() {
    FlowConfig c = config(new ImageShape(3, 8, 8), 3, 8, 16);
    Dequantization dq = new Dequantization(ALPHA);
    INDArray y = Dequantization.dequantise(Dequantization.levels(uniformNoiseImages(new Rng(1), 4, 3, 8, 8)), new Rng(2));
    INDArray x = dq.logit(y).castTo(DataType.FLOAT);
    int[] labels = {0, 1, 2, 0};
    FlowNetwork net = perturbed(c, DataType.FLOAT, 0.05, x, labels);
    INDArray[] f = net.forward(x, labels);
    INDArray back = net.inverse(f[0], labels);
    double logitError = Transforms.abs(back.sub(x), false).maxNumber().doubleValue();
    double pixelError = Transforms.abs(dq.inverse(back).subi(y), false).maxNumber().doubleValue();
    // The couplings really transform: z is far from a plain rearrangement of x.
    assertTrue(f[0].std(false).getDouble(0) > 0.5, "z std " + f[0].std(false));
    assertTrue(logitError < 1e-4, "logit-space error " + logitError);
    assertTrue(pixelError < 1e-5, "pixel-space error " + pixelError);
  }

  @Test
  void logDeterminantEqualsABruteForceJacobianLogDeterminant() {
    // D = 16: the full 16 x 16 Jacobian dz/dy, by central differences in double precision.
    FlowConfig c = config(new ImageShape(1, 4, 4), 2, 3, 4);
    Dequantization dq = new Dequantization(ALPHA);
    int d = 16;
    INDArray y0 = new Rng(7).uniform(DataType.DOUBLE, 0.05, 0.95, 1, 1, 4, 4);
    FlowNetwork net = perturbed(c, DataType.DOUBLE, 0.3, dq.logit(new Rng(8).uniform(DataType.DOUBLE, 0.05, 0.95, 5, 1, 4, 4)), new int[] {0, 1, 0, 1, 1});
    double h = 1e-6;
    INDArray probes = Nd4j.create(DataType.DOUBLE, 2 * d, 1, 4, 4);
    for (int j = 0; j < d; j++) {
      INDArray plus = y0.dup();
      INDArray minus = y0.dup();
      plus.putScalar(new long[] {0, 0, j / 4, j % 4}, y0.getDouble(0, 0, j / 4, j % 4) + h);
      minus.putScalar(new long[] {0, 0, j / 4, j % 4}, y0.getDouble(0, 0, j / 4, j % 4) - h);
      probes.putSlice(2 * j, plus.reshape(1, 4, 4));
      probes.putSlice(2 * j + 1, minus.reshape(1, 4, 4));
    }
    int[] labels = new int[2 * d];
    java.util.Arrays.fill(labels, 1);
    INDArray z = net.forward(dq.logit(probes), labels)[0].reshape(2 * d, d);
    double[][] jacobian = new double[d][d];
    for (int j = 0; j < d; j++) {
      for (int i = 0; i < d; i++) {
        jacobian[i][j] = (z.getDouble(2 * j, i) - z.getDouble(2 * j + 1, i)) / (2 * h);
      }
    }
    Lu lu = Lu.decompose(jacobian);
    double bruteForce = 0;
    for (int i = 0; i < d; i++) {
      bruteForce += Math.log(Math.abs(lu.u[i][i]));
    }
    double flow = net.forward(dq.logit(y0), new int[] {1})[1].getDouble(0);
    double logit = dq.logDet(y0)[0];
    assertTrue(Math.abs(flow) > 1.0, "log-det too close to 0 to test: " + flow);
    assertEquals(bruteForce, flow + logit, 1e-6, "flow " + flow + " + logit " + logit);
  }

  @Test
  void bitsPerDimOfTheInitialModelOnUniformNoiseMatchTheClosedForm() {
    // Before ActNorm's data-dependent init, the model is linear: z = A x at every position, with
    // M = prod_k S W_k (W_k the 1x1 rotations, S = diag(sigmoid(2) on x_a, 1 on x_b)). For x = logit(p),
    // p ~ U(alpha, 1 - alpha) i.i.d.: E[-log p(y)] / D = log(2 pi) / 2 + E[x^2] ||M||_F^2 / (2C)
    // - log|det M| / C - E[log dx/dy].
    FlowConfig c = config(new ImageShape(1, 16, 16), 0, 4, 8);
    GenerativeModel model = new FlowFamily().create(c, 9L);
    FlowNetwork net = (FlowNetwork) model.network();
    int ch = 4;
    INDArray m = Nd4j.eye(ch).castTo(DataType.DOUBLE);
    INDArray s = Nd4j.eye(ch).castTo(DataType.DOUBLE);
    double sigmoid2 = 1.0 / (1.0 + Math.exp(-2.0));
    s.putScalar(0, 0, sigmoid2);
    s.putScalar(1, 1, sigmoid2);
    double logDetW = 0;
    for (int k = 0; k < c.steps(); k++) {
      INDArray w = FlowLayers.weight(net.parameters(), net.buffers(), FlowNetwork.step(k) + "/invconv");
      assertTrue(w.mmul(w.transpose()).equalsWithEps(Nd4j.eye(ch).castTo(DataType.DOUBLE), 1e-6), "W_" + k + " not a rotation");
      m = s.mmul(w).mmul(m);
    }
    double[][] u = Lu.decompose(m.toDoubleMatrix()).u;
    double logDetM = 0;
    for (int i = 0; i < ch; i++) {
      logDetM += Math.log(Math.abs(u[i][i]));
    }
    double frobenius2 = m.mul(m).sumNumber().doubleValue();
    // E[x^2] by Simpson's rule on [alpha, 1 - alpha]; E[log p] = E[log(1 - p)] in closed form.
    int n = 200_000;
    double a = ALPHA;
    double b = 1 - ALPHA;
    double step = (b - a) / n;
    double integral = 0;
    for (int i = 0; i <= n; i++) {
      double p = a + i * step;
      double f = Math.pow(Math.log(p / (1 - p)), 2);
      integral += f * (i == 0 || i == n ? 1 : (i % 2 == 1 ? 4 : 2));
    }
    double ex2 = integral * step / 3 / (b - a);
    double eLogP = ((b * Math.log(b) - b) - (a * Math.log(a) - a)) / (b - a);
    double eLogJacobian = Math.log(1 - 2 * a) - 2 * eLogP;
    double nats = 0.5 * Math.log(2 * Math.PI) + ex2 * frobenius2 / (2 * ch) - logDetM / ch - eLogJacobian;
    double expected = nats / Math.log(2) + 8;
    assertEquals(c.steps() * 2 * Math.log(sigmoid2), logDetM, 1e-5, "log|det M|");

    Dequantization dq = new Dequantization(ALPHA);
    INDArray y = Dequantization.dequantise(Dequantization.levels(uniformNoiseImages(new Rng(3), 64, 1, 16, 16)), new Rng(4));
    double[] logPx = net.forward(dq.logit(y), null)[2].toDoubleVector();
    double[] logDet = dq.logDet(y);
    double sum = 0;
    double sq = 0;
    for (int i = 0; i < logPx.length; i++) {
      double bits = Dequantization.bitsPerDim(logPx[i], logDet[i], 256);
      sum += bits;
      sq += bits * bits;
    }
    double mean = sum / logPx.length;
    double stderr = Math.sqrt((sq / logPx.length - mean * mean) / logPx.length);
    assertTrue(stderr < 0.02, "stderr " + stderr);
    assertEquals(expected, mean, 4 * stderr, "closed form " + expected + ", measured " + mean + " +- " + stderr);
  }

  @Test
  void actNormIsInitialisedFromTheFirstBatchOnceAndTheFlagIsCheckpointed() {
    FlowConfig c = config(new ImageShape(1, 8, 8), 0, 3, 8);
    GenerativeModel model = new FlowFamily().create(c, 2L);
    FlowNetwork net = (FlowNetwork) model.network();
    INDArray images = new Rng(5).uniform(DataType.FLOAT, -0.9, 0.9, 8, 1, 8, 8).muli(new Rng(6).uniform(DataType.FLOAT, 0, 1, 8, 1, 8, 8));
    LocalTrainer trainer = new LocalTrainer(model, new TrainConfig(3L, 8, 1000L, 0.0), ImageDataset.of(images, null));
    assertFalse(net.actNormInitialised());
    trainer.step();
    assertEquals(1.0, trainer.state().get("buffer/" + FlowNetwork.ACTNORM_INITIALISED).getDouble(0), 0.0);

    // On that batch each ActNorm output had zero mean and unit variance per channel (before the Adam
    // step); the variance is std^2 / (std + 1e-6)^2, 1 - O(1e-6).
    FlowNetwork fresh = new FlowNetwork(c, 2L, DataType.DOUBLE);
    INDArray x = new Dequantization(ALPHA).logit(Dequantization.dequantise(Dequantization.levels(images), new Rng(7)));
    fresh.initialiseActNorm(x, null);
    Map<String, INDArray> in = fresh.inputs(FlowNetwork.X, x, null);
    for (int k = 0; k < c.steps(); k++) {
      String name = fresh.actNormInputs().get(k);
      INDArray h = Forward.run(fresh.density, in, name).get(name);
      INDArray logS = fresh.parameters().get(FlowNetwork.step(k) + "/actnorm/log_s");
      INDArray b = fresh.parameters().get(FlowNetwork.step(k) + "/actnorm/b");
      INDArray out = h.mul(Transforms.exp(logS, true)).addi(b);
      assertEquals(0.0, Transforms.abs(out.mean(0, 2, 3), false).maxNumber().doubleValue(), 1e-9, "mean after ActNorm " + k);
      assertEquals(1.0, out.var(false, 0, 2, 3).minNumber().doubleValue(), 1e-5, "variance after ActNorm " + k);
      assertEquals(1.0, out.var(false, 0, 2, 3).maxNumber().doubleValue(), 1e-5, "variance after ActNorm " + k);
    }

    // Later steps do not initialise again: a moved ActNorm scale stays where it was moved (Adam moves it <~ 1e-3).
    INDArray logS = net.parameters().get("step1/actnorm/log_s");
    logS.addi(1.0);
    INDArray moved = logS.dup();
    trainer.step();
    assertTrue(logS.equalsWithEps(moved, 1e-2), "ActNorm was re-initialised on step 2");
  }

  @Test
  void temperatureScalesTheLatentAndDefaultsToTheConfig() {
    FlowConfig c = config(new ImageShape(1, 8, 8), 0, 2, 8);
    GenerativeModel model = new FlowFamily().create(c, 4L);
    FlowSampler sampler = (FlowSampler) model.sampler();
    var w = model.network().parameters();
    SampleRequest r = SampleRequest.unconditional(3L, 0, 2);
    assertEquals(sampler.sample(w, r, 0.7), sampler.sample(w, r));
    // At T -> 0 every image is f^-1(0); at T = 1 the two images differ.
    INDArray cold = sampler.sample(w, r, 1e-6);
    INDArray first = cold.get(NDArrayIndex.point(0));
    assertTrue(first.equalsWithEps(cold.get(NDArrayIndex.point(1)), 1e-5));
    INDArray hot = sampler.sample(w, r, 1.0);
    assertFalse(hot.get(NDArrayIndex.point(0)).equalsWithEps(hot.get(NDArrayIndex.point(1)), 1e-2));
    // The initial model is linear and maps z = 0 to logit 0, the middle of the pixel range.
    assertEquals(0.0, Transforms.abs(first, true).maxNumber().doubleValue(), 1e-5);
  }

  @Test
  void rgb32x32ConditionalWithTheDefaultLayersWorks() {
    // The default step (conditioner of 64 channels) on 32x32x3; 2 steps instead of 8 to keep the test short.
    FlowConfig d = FlowConfig.defaults();
    FlowConfig rgb = new FlowConfig(new ImageShape(3, 32, 32), 10, 2, d.hiddenChannels(), d.logitAlpha(), d.temperature(), d.optimizer());
    GenerativeModel model = new FlowFamily().create(rgb, 1L);
    INDArray x = model.sampler().sample(model.network().parameters(), new SampleRequest(1L, 0, 2, new int[] {3, 9}));
    assertArrayEquals(new long[] {2, 3, 32, 32}, x.shape());
    assertArrayEquals(new long[] {2, 12, 16, 16}, ((FlowNetwork) model.network()).latentShape(2));
    StepReport r = model.objective().step(new Batch(uniformNoiseImages(new Rng(1), 2, 3, 32, 32).castTo(DataType.FLOAT), new int[] {0, 1}), new Rng(2));
    assertTrue(r.allFinite(), r.toString());
    assertEquals(r.get("loss"), r.get("bits_per_dim"), 0.0);
    assertEquals(-r.get("log_py_nats") / (3 * 32 * 32 * Math.log(2)) + 8, r.get("bits_per_dim"), 1e-9);
  }
}
