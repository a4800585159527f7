package io.sparkgen.model.gan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.nn.Backprop;
import io.sparkgen.model.nn.Forward;
import io.sparkgen.model.optim.Adam;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.random.Rng;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A critic-based estimate of the Wasserstein-1 distance between real and generated images, as in
 * Rosca et al. 2018 ("Distribution matching in variational inference"): a critic trained
 * independently of any model, with WGAN-GP's gradient penalty (Gulrajani et al. 2017) keeping it
 * near 1-Lipschitz, on one half of each set; the estimate is E[D(x)] - E[D(x_fake)] on the other,
 * held-out half, so that a critic that memorised its training images does not inflate it. By
 * Kantorovich-Rubinstein duality a 1-Lipschitz critic gives a lower bound of W1 (in pixel units,
 * images in [-1, 1]); the penalty enforces the bound only softly and trades slope for gap: where the
 * optimal critic is linear along the displacement (a translate, two point masses) the penalised
 * optimum is W1 (1 + W1 / (2 lambda)), an overshoot that grows with the distance (tested). Compare
 * estimates at the same lambda, steps and critic only.
 *
 * <p>The critic is the DCGAN discriminator (no dropout) sized to the images, built and updated
 * with the same graph, penalty and Adam as the GAN family's WGAN-GP critic. Which images train it,
 * the batches, the interpolation weights and the initial weights all derive from {@code seed}.
 */
public final class CriticWasserstein {

  private CriticWasserstein() {}

  /**
   * @param steps critic updates
   * @param batchSize real and generated images per update
   * @param channels the critic's convolution channels (DCGAN: 64, 128)
   * @param gpWeight the gradient penalty's lambda
   * @param optimizer the critic's Adam
   */
  public record Options(int steps, int batchSize, List<Integer> channels, double gpWeight, AdamConfig optimizer) {

    public Options {
      if (steps < 1 || batchSize < 1 || gpWeight <= 0) {
        throw new IllegalArgumentException("critic: steps " + steps + " and batchSize " + batchSize
            + " must be > 0 and gpWeight " + gpWeight + " > 0");
      }
      channels = List.copyOf(channels);
    }

    /** WGAN-GP's settings: lambda 10, Adam 1e-4 with beta (0, 0.9). */
    public static Options wganGp(int steps, int batchSize, List<Integer> channels) {
      return new Options(steps, batchSize, channels, 10.0, new AdamConfig(1e-4, 0.0, 0.9, 1e-8));
    }
  }

  /**
   * @param distance E[D(x)] - E[D(x_fake)] on the held-out halves
   * @param trainDistance the same on the halves the critic trained on (a gap to {@code distance} shows overfitting)
   * @param heldOut images per set in the held-out halves
   */
  public record Result(double distance, double trainDistance, long heldOut) {}

  /**
   * Trains a critic on half of {@code real} and {@code fake} (both [N, C, H, W] in [-1, 1], any N
   * of at least 2 each; the smaller N sets both halves' size) and measures it on the other half.
   */
  public static Result estimate(INDArray real, INDArray fake, Options options, long seed) {
    if (real.rank() != 4 || fake.rank() != 4 || !java.util.Arrays.equals(shapeOf(real), shapeOf(fake))) {
      throw new IllegalArgumentException("critic: real and generated images must both be [N, C, H, W] of one shape, got "
          + java.util.Arrays.toString(real.shape()) + " and " + java.util.Arrays.toString(fake.shape()));
    }
    int half = (int) Math.min(real.size(0), fake.size(0)) / 2;
    if (half < 1) {
      throw new IllegalArgumentException("critic: needs at least 2 real and 2 generated images, got " + real.size(0)
          + " and " + fake.size(0));
    }
    Rng rng = new Rng(seed);
    int[] realOrder = rng.permutation((int) real.size(0));
    int[] fakeOrder = rng.permutation((int) fake.size(0));
    INDArray realTrain = rows(real, realOrder, 0, half);
    INDArray fakeTrain = rows(fake, fakeOrder, 0, half);
    INDArray realHeld = rows(real, realOrder, half, 2 * half);
    INDArray fakeHeld = rows(fake, fakeOrder, half, 2 * half);

    GanNetwork net = critic(shapeOf(real), options, rng.nextLong());
    Adam adam = new Adam(options.optimizer(), net.discriminatorParameters());
    int batch = Math.min(options.batchSize(), half);
    for (int step = 0; step < options.steps(); step++) {
      INDArray x = rows(realTrain, draw(rng, half, batch), 0, batch);
      INDArray xFake = rows(fakeTrain, draw(rng, half, batch), 0, batch);
      Map<String, INDArray> in = inputs(net, x, xFake, rng.uniform(DataType.FLOAT, 0.0, 1.0, batch, 1, 1, 1));
      try (Backprop.Result grads =
          Backprop.run(net.discriminatorGraph, in, List.of(net.discriminatorLoss), net.discriminatorNames)) {
        double loss = grads.outputs().get(net.discriminatorLoss).getDouble(0);
        if (!Double.isFinite(loss)) {
          throw new IllegalStateException("critic: loss is " + loss + " at step " + step + "; lower its learning rate");
        }
        adam.update(net.parameters(), grads.gradients());
      }
    }
    return new Result(meanGap(net, realHeld, fakeHeld, batch), meanGap(net, realTrain, fakeTrain, batch), half);
  }

  private static GanNetwork critic(long[] imageShape, Options options, long seed) {
    ObjectNode json = Configs.MAPPER.createObjectNode();
    ObjectNode image = json.putObject("image");
    image.put("channels", imageShape[1]).put("height", imageShape[2]).put("width", imageShape[3]);
    json.put("loss", GanLoss.WGAN_GP.id()).put("gpWeight", options.gpWeight()).put("dropoutRate", 0.0);
    json.set("discriminatorChannels", Configs.MAPPER.valueToTree(options.channels()));
    GanConfig config = new GanFamily().readConfig(json);
    return new GanNetwork(new Dcgan(config), config.image().batchShape(-1), seed, DataType.FLOAT, GanLoss.WGAN_GP,
        config.gpWeight(), 1);
  }

  /** The critic graph's inputs: both image sets, the interpolation weights, all-ones dropout masks. */
  private static Map<String, INDArray> inputs(GanNetwork net, INDArray x, INDArray xFake, INDArray epsilon) {
    Map<String, INDArray> in = new HashMap<>();
    in.put(GanNetwork.X_REAL, x);
    in.put(GanNetwork.X_FAKE, xFake);
    in.put(GanNetwork.EPSILON, epsilon);
    List<long[]> shapes = net.architecture.dropoutMaskShapes((int) x.size(0));
    for (String tag : List.of(GanNetwork.REAL, GanNetwork.FAKE, GanNetwork.MIX)) {
      for (int i = 0; i < shapes.size(); i++) {
        in.put(tag + "/mask" + i, Nd4j.ones(DataType.FLOAT, shapes.get(i)));
      }
    }
    return in;
  }

  /** E[D(a)] - E[D(b)] over equally long sets, in batches, in float64. */
  private static double meanGap(GanNetwork net, INDArray a, INDArray b, int batch) {
    long n = a.size(0);
    double sum = 0;
    for (long from = 0; from < n; from += batch) {
      long to = Math.min(n, from + batch);
      INDArray x = a.get(NDArrayIndex.interval(from, to)).dup('c');
      INDArray xFake = b.get(NDArrayIndex.interval(from, to)).dup('c');
      Map<String, INDArray> out = Forward.run(net.discriminatorGraph,
          inputs(net, x, xFake, Nd4j.zeros(DataType.FLOAT, to - from, 1, 1, 1)), net.logitReal, net.logitFake);
      sum += out.get(net.logitReal).castTo(DataType.DOUBLE).sumNumber().doubleValue()
          - out.get(net.logitFake).castTo(DataType.DOUBLE).sumNumber().doubleValue();
    }
    return sum / n;
  }

  private static int[] draw(Rng rng, int n, int k) {
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      out[i] = rng.nextInt(n);
    }
    return out;
  }

  /** Rows order[from..to) of x, as a new C-ordered float array. */
  private static INDArray rows(INDArray x, int[] order, int from, int to) {
    long[] idx = new long[to - from];
    for (int i = from; i < to; i++) {
      idx[i - from] = order[i];
    }
    return x.get(NDArrayIndex.indices(idx), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all())
        .castTo(DataType.FLOAT).dup('c');
  }

  private static long[] shapeOf(INDArray x) {
    return new long[] {-1, x.size(1), x.size(2), x.size(3)};
  }
}
