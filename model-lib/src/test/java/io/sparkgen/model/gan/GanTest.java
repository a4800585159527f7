package io.sparkgen.model.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.Batch;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.nn.Layers;
import io.sparkgen.model.optim.Adam;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GanTest {

  /** G(z) = a z + b (one pixel), D(x) = w x + c: small enough to differentiate by hand. */
  static final class Toy implements GanArchitecture {
    @Override
    public int noiseDim() {
      return 1;
    }

    @Override
    public int numClasses() {
      return 0;
    }

    @Override
    public SDVariable generator(GraphBuilder g, SDVariable z, SDVariable y, boolean training, List<Layers.RunningAverage> averages) {
      return Layers.dense(g, GENERATOR + "g", z, 1, 1, true).reshape(-1, 1, 1, 1);
    }

    @Override
    public SDVariable discriminator(GraphBuilder g, SDVariable x, SDVariable y, String tag) {
      return Layers.dense(g, DISCRIMINATOR + "d", Layers.flatten(x, 1), 1, 1, true);
    }

    /** grad_x D = w for every image. */
    @Override
    public SDVariable discriminatorInputGradient(GraphBuilder g, SDVariable x, SDVariable y, String tag) {
      SDVariable w = g.param(DISCRIMINATOR + "d/W", io.sparkgen.model.nn.Init.GLOROT_UNIFORM, 1, 1);
      return g.sd().onesLike(Layers.flatten(x, 1)).mmul(w.permute(1, 0)).reshape(-1, 1, 1, 1);
    }

    @Override
    public List<long[]> dropoutMaskShapes(int n) {
      return List.of();
    }

    @Override
    public double dropoutKeep() {
      return 1.0;
    }
  }

  private static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  @Test
  void bothPlayersGradientsMatchHandDerivedValuesOnAOneLayerToy() {
    GanNetwork net = new GanNetwork(new Toy(), new long[] {-1, 1, 1, 1}, 1L, DataType.DOUBLE);
    double a = 0.7, b = -0.2, w = 1.3, c = 0.1;
    net.parameters().get("gen/g/W").assign(a);
    net.parameters().get("gen/g/b").assign(b);
    net.parameters().get("disc/d/W").assign(w);
    net.parameters().get("disc/d/b").assign(c);
    double[] x = {0.5, -1.0, 2.0};
    double[] z = {0.3, -0.8, 1.1};
    GanObjective objective = new GanObjective(net, AdamConfig.of(1e-3, 0.5), AdamConfig.of(1e-3, 0.5));
    GanObjective.Gradients grads =
        objective.gradients(
            new Batch(Nd4j.createFromArray(x).reshape(3, 1, 1, 1), null),
            new GanObjective.Noise(Nd4j.createFromArray(z).reshape(3, 1), Map.of(), List.of(), List.of()));

    // L_D = mean softplus(-D(x)) + mean softplus(D(G(z))); L_G = mean softplus(-D(G(z))).
    double dw = 0, dc = 0, da = 0, db = 0;
    int n = x.length;
    for (int i = 0; i < n; i++) {
      double real = w * x[i] + c;
      double gz = a * z[i] + b;
      double fake = w * gz + c;
      dw += (-(1 - sigmoid(real)) * x[i] + sigmoid(fake) * gz) / n;
      dc += (-(1 - sigmoid(real)) + sigmoid(fake)) / n;
      da += -(1 - sigmoid(fake)) * w * z[i] / n;
      db += -(1 - sigmoid(fake)) * w / n;
    }
    assertEquals(Set.of("disc/d/W", "disc/d/b"), grads.discriminator().keySet());
    assertEquals(Set.of("gen/g/W", "gen/g/b"), grads.generator().keySet());
    assertEquals(dw, grads.discriminator().get("disc/d/W").getDouble(0), 1e-12);
    assertEquals(dc, grads.discriminator().get("disc/d/b").getDouble(0), 1e-12);
    assertEquals(da, grads.generator().get("gen/g/W").getDouble(0), 1e-12);
    assertEquals(db, grads.generator().get("gen/g/b").getDouble(0), 1e-12);
    // Directions: D raises its score of real data (w up, since real x > fakes on average here)
    // and G moves its output towards where D scores higher (w > 0: b up).
    assertTrue(db < 0, "G must increase its offset when D prefers larger x");
  }

  @Test
  void eachPlayersUpdateTouchesOnlyItsOwnParametersAndUsesThePreStepOther() {
    assertUpdatesDoNotLeak(GanContractTest.tiny(new ImageShape(1, 8, 8), 0, 4));
  }

  /** One non-saturating step equals G's Adam update alone (D unchanged) then D's (G unchanged), both at the pre-step gradients. */
  static void assertUpdatesDoNotLeak(GanConfig config) {
    GenerativeModel stepped = new GanFamily().create(config, 3L);
    GenerativeModel manual = new GanFamily().create(config, 3L);
    Batch batch = new Batch(new Rng(1).uniform(DataType.FLOAT, -1, 1, 4, 1, 8, 8), null);

    stepped.objective().step(batch, new Rng(9));

    // The same step by hand: gradients at the pre-step parameters, then G's update alone, then D's.
    GanNetwork net = (GanNetwork) manual.network();
    GanObjective objective = (GanObjective) manual.objective();
    GanObjective.Gradients grads = objective.gradients(batch, objective.drawNoise(4, new Rng(9), DataType.FLOAT));
    NamedArrays before = net.parameters().copy();
    new Adam(config.generatorOptimizer(), net.generatorParameters()).update(net.parameters(), grads.generator());
    assertTrue(net.discriminatorParameters().sameValues(before.filter(n -> n.startsWith("disc/"))), "G's update changed D");
    assertFalse(net.generatorParameters().sameValues(before.filter(n -> n.startsWith("gen/"))), "G's update changed nothing");
    NamedArrays afterG = net.generatorParameters().copy();
    new Adam(config.discriminatorOptimizer(), net.discriminatorParameters()).update(net.parameters(), grads.discriminator());
    assertTrue(net.generatorParameters().sameValues(afterG), "D's update changed G");

    assertTrue(stepped.network().parameters().sameValues(net.parameters()), "step() differs from the two separate updates");
  }

  @Test
  void batchNormRunningStatisticsFollowKerasMomentum() {
    GanConfig config = GanContractTest.tiny(new ImageShape(1, 8, 8), 0, 4);
    GenerativeModel model = new GanFamily().create(config, 3L);
    GanObjective objective = (GanObjective) model.objective();
    Batch batch = new Batch(new Rng(1).uniform(DataType.FLOAT, -1, 1, 4, 1, 8, 8), null);
    GanNetwork net = (GanNetwork) model.network();
    GanObjective.Gradients grads = objective.gradients(batch, objective.drawNoise(4, new Rng(9), DataType.FLOAT));
    INDArray batchMean = grads.outputs().get(net.averages.get(2).batchValue().name());
    objective.step(batch, new Rng(9));
    INDArray running = model.network().buffers().get("gen/bn1/running_mean");
    assertTrue(running.equalsWithEps(batchMean.mul(1 - 0.99), 1e-6), running + " vs " + batchMean);
  }

  @Test
  void rgb32x32WithTheTutorialLayersWorksConditionally() {
    GanConfig rgb =
        new GanConfig(
            new ImageShape(3, 32, 32), 10, 8, 16, 5, List.of(32, 16, 8), List.of(8, 16), 0.3, 0.3, 0.99, 1e-3,
            AdamConfig.of(2e-4, 0.5), AdamConfig.of(2e-4, 0.5), "non-saturating", 0.0, 1, "dcgan", StyleConfig.defaults());
    GenerativeModel model = new GanFamily().create(rgb, 1L);
    INDArray x = model.sampler().sample(model.network().parameters(), new SampleRequest(1L, 0, 2, new int[] {3, 9}));
    assertArrayEquals(new long[] {2, 3, 32, 32}, x.shape());
    assertTrue(model.objective().step(new Batch(new Rng(1).uniform(DataType.FLOAT, -1, 1, 2, 3, 32, 32), new int[] {0, 1}), new Rng(2)).allFinite());
  }

  @Test
  void defaultModelHasTheTutorialsBatchNormBuffers() {
    GenerativeModel model = new GanFamily().create(GanConfig.defaults(), 1L);
    assertEquals(2L * (12_544 + 128 + 64), model.network().buffers().length());
  }
}
