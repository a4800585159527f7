package io.sparkgen.bench.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.train.ImageDataset;
import io.sparkgen.model.train.LocalTrainer;
import io.sparkgen.model.train.TrainConfig;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The baseline compares like with like: DL4J's network and the sparkgen family compute the same function. */
class SameModelTest {

  private static final long SEED = 20261205L;

  @Test
  void sparkgenWeightsInTheDl4jNetworkGiveTheSameClassProbabilities() {
    ClassifierConfig config = ClassifierConfig.defaults();
    ClassifierNetwork sparkgen = new ClassifierNetwork(config, SEED);
    MultiLayerNetwork dl4j = new MultiLayerNetwork(Dl4jClassifier.configuration(config, SEED));
    dl4j.init();
    assertEquals(dl4j.numParams(), sparkgen.parameters().length());

    // Keras layouts (conv W [k, k, in, out], bias [1, out, 1, 1]) to DL4J's ([out, in, k, k], [1, out]).
    NamedArrays p = sparkgen.parameters();
    for (int i = 0; i < config.channels().size(); i++) {
      dl4j.setParam(i + "_W", p.get("conv" + i + "/W").permute(3, 2, 0, 1).dup('c'));
      dl4j.setParam(i + "_b", p.get("conv" + i + "/b").reshape(1, config.channels().get(i)));
    }
    int out = config.channels().size();
    dl4j.setParam(out + "_W", p.get("logits/W"));
    dl4j.setParam(out + "_b", p.get("logits/b"));

    int n = 5;
    INDArray x = new Rng(SEED).uniform(DataType.FLOAT, -1.0, 1.0, config.image().batchShape(n));
    Map<String, INDArray> in = new HashMap<>();
    in.put(ClassifierNetwork.X, x);
    for (int i = 0; i < config.channels().size(); i++) {
      in.put(ClassifierNetwork.MASK + i, Nd4j.ones(DataType.FLOAT, sparkgen.maskShape(i, n))); // no dropout
    }
    INDArray expected = Transforms.softmax(sparkgen.graph.output(in, sparkgen.logits).get(sparkgen.logits), true);
    INDArray actual = dl4j.output(x, false);

    assertArrayEquals(new long[] {n, config.numClasses()}, actual.shape());
    double maxDiff = Transforms.abs(actual.sub(expected), true).maxNumber().doubleValue();
    assertTrue(maxDiff < 1e-5, "DL4J and sparkgen class probabilities differ by up to " + maxDiff);
  }

  @Test
  void theFamilyLearnsTheBrightnessBandsThatTheBenchmarkTrainsOn() {
    ClassifierConfig config = ClassifierConfig.defaults();
    GenerativeModel model = new ClassifierFamily().create(config, SEED);
    ImageDataset data = Dl4jBaselineBenchmark.syntheticShard(0, 256, config, SEED).toDataset("test");
    LocalTrainer trainer = new LocalTrainer(model, new TrainConfig(SEED, 32, Long.MAX_VALUE, 0.0), data);
    double first = trainer.step().get("loss");
    double last = first;
    for (int s = 0; s < 15; s++) {
      last = trainer.step().get("loss");
    }
    assertEquals(Math.log(config.numClasses()), first, 0.5, "an untrained classifier is near-uniform");
    assertTrue(last < 0.85 * first, "loss fell from " + first + " only to " + last);
  }
}
