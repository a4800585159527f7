package io.sparkgen.bench.dl4j;

import io.sparkgen.model.Batch;
import io.sparkgen.model.Objective;
import io.sparkgen.model.StepReport;
import io.sparkgen.model.optim.Adam;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/** One Adam step on the mean softmax cross-entropy of a labelled batch, with fresh dropout masks from the step's stream. */
final class ClassifierObjective implements Objective {

  private final ClassifierNetwork net;
  private final Adam adam;

  ClassifierObjective(ClassifierNetwork net) {
    this.net = net;
    this.adam = new Adam(net.config.optimizer(), net.parameters());
  }

  @Override
  public StepReport step(Batch batch, Rng rng) {
    Map<String, INDArray> in = new HashMap<>();
    in.put(ClassifierNetwork.X, batch.images());
    in.put(ClassifierNetwork.Y, batch.oneHot(net.config.numClasses()));
    double keep = 1.0 - net.config.dropoutRate();
    List<long[]> shapes = net.maskShapes(batch.size());
    for (int i = 0; i < shapes.size(); i++) {
      in.put(ClassifierNetwork.MASK + i, rng.dropoutMask(batch.images().dataType(), keep, shapes.get(i)));
    }
    OutAndGrad r = net.graph.calculateGradientsAndOutputs(in, List.of(net.loss, net.accuracy), net.trainable);
    adam.update(net.parameters(), r.getGradients());
    Map<String, Double> metrics = new TreeMap<>();
    metrics.put("loss", r.getOutputs().get(net.loss).getDouble(0));
    metrics.put("accuracy", r.getOutputs().get(net.accuracy).getDouble(0));
    return StepReport.of(metrics);
  }

  @Override
  public NamedArrays optimizerState() {
    return adam.state();
  }
}
