package io.sparkgen.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.nn.Layers.Padding;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Forward passes in the recycling session: SameDiff's values, the caller's outputs kept, no growing state. */
class ForwardTest {

  private static SameDiff graph() {
    NamedArrays params = NamedArrays.empty();
    GraphBuilder g = new GraphBuilder(params, NamedArrays.empty(), 7L, DataType.FLOAT);
    SameDiff sd = g.sd();
    SDVariable x = g.placeholder("x", -1, 2, 8, 8);
    // swish, not Layers.silu: the session runs tanh with another kernel (OneDnnTanh), and this
    // test compares with SameDiff's own session bit for bit.
    SDVariable h = sd.nn().swish(Layers.conv2d(g, "c1", x, 2, 4, 3, 1, Padding.SAME, true));
    SDVariable y = Layers.conv2d(g, "c2", h, 4, 2, 3, 1, Padding.SAME, true).add(x);
    y.rename("y");
    params.asMap().forEach((n, p) -> p.addi(new Rng(n.hashCode()).gaussian(DataType.FLOAT, p.shape()).muli(0.3)));
    return sd;
  }

  @Test
  void equalsSameDiffsOutputKeepsEveryReturnedArrayAndRemembersNothingAcrossRuns() {
    SameDiff reference = graph();
    SameDiff sd = graph();
    List<INDArray> returned = new ArrayList<>();
    List<INDArray> copies = new ArrayList<>();
    for (int run = 0; run < 6; run++) {
      Map<String, INDArray> in = Map.of("x", new Rng(run).gaussian(DataType.FLOAT, 3, 2, 8, 8));
      INDArray expected = reference.output(in, "y").get("y");
      INDArray actual = Forward.run(sd, in, "y").get("y");
      assertArrayEquals(expected.data().asFloat(), actual.data().asFloat(), 0f, "run " + run);
      returned.add(actual);
      copies.add(actual.dup());
    }
    // Samplers keep earlier model outputs (DPM-Solver++(2M) uses the previous step's): never reused.
    for (int run = 0; run < returned.size(); run++) {
      assertArrayEquals(copies.get(run).data().asFloat(), returned.get(run).data().asFloat(), 0f, "output of run " + run);
    }
    assertTrue(sd.getSessions().get(Thread.currentThread().getId()) instanceof RecyclingSession);
    RecyclingSession session = (RecyclingSession) sd.getSessions().get(Thread.currentThread().getId());
    int afterOne = session.rememberedFreedIds();
    for (int run = 0; run < 20; run++) {
      Forward.run(sd, Map.of("x", new Rng(run).gaussian(DataType.FLOAT, 3, 2, 8, 8)), "y");
    }
    assertEquals(afterOne, session.rememberedFreedIds(), "ids of given-back arrays must not pile up run after run");
  }
}
