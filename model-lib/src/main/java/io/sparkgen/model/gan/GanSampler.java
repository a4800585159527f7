package io.sparkgen.model.gan;

import io.sparkgen.model.Batch;
import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.Sampler;
import io.sparkgen.model.nn.Forward;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.random.Seeds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * x = G(z), z ~ N(0, I), in inference mode (batch norm with the network's running statistics, as
 * the tutorial's {@code generator(seed, training=False)}). z and G's other random inputs of image
 * i come from image i's own Rng. Runs on its own copy of G's weights.
 */
public final class GanSampler implements Sampler {

  private final GanArchitecture architecture;
  private final NamedArrays weights = NamedArrays.empty();
  private final SameDiff graph;
  private final String image;
  private final DataType type;

  /** {@code buffers} are the network's live running statistics. */
  public GanSampler(GanArchitecture architecture, NamedArrays buffers, DataType type) {
    this.architecture = architecture;
    this.type = type;
    GraphBuilder g = new GraphBuilder(weights, buffers, 0L, type);
    image =
        architecture
            .generator(
                g, g.placeholder(GanNetwork.Z, -1, architecture.noiseDim()),
                architecture.numClasses() > 0 ? g.placeholder(GanNetwork.Y, -1, architecture.numClasses()) : null,
                false, new ArrayList<>())
            .name();
    graph = g.sd();
  }

  @Override
  public INDArray sample(NamedArrays source, SampleRequest request) {
    Map<String, INDArray> in = new HashMap<>(architecture.samplerInputs(request.options(), type));
    weights.assignFrom(source);
    INDArray z = Nd4j.create(type, request.count(), architecture.noiseDim());
    Map<String, List<INDArray>> rows = new HashMap<>();
    for (int i = 0; i < request.count(); i++) {
      Rng rng = new Rng(Seeds.forImage(request.seed(), request.firstIndex() + i));
      z.putRow(i, rng.gaussian(type, architecture.noiseDim()));
      architecture.generatorInputs(1, false, rng, type).forEach((name, row) -> rows.computeIfAbsent(name, n -> new ArrayList<>()).add(row));
    }
    rows.forEach((name, list) -> in.put(name, Nd4j.concat(0, list.toArray(INDArray[]::new))));
    in.put(GanNetwork.Z, z);
    if (architecture.numClasses() > 0) {
      in.put(GanNetwork.Y, Batch.oneHot(request.labels(), architecture.numClasses(), type));
    }
    return Forward.run(graph, in, image).get(image);
  }
}
