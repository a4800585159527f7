package io.sparkgen.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.nn.Layers.Padding;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Graph runs by a fixed plan: SameDiff's values whatever the batch, the graph's own arrays left alone, clear errors. */
class PlanTest {

  /** Conv, swish, flatten (a reshape), dense, a sum over an axis and a scalar op: the ops our models are made of. */
  private static SameDiff graph() {
    NamedArrays params = NamedArrays.empty();
    GraphBuilder g = new GraphBuilder(params, NamedArrays.empty(), 11L, DataType.FLOAT);
    SameDiff sd = g.sd();
    SDVariable x = g.placeholder("x", -1, 2, 6, 6);
    SDVariable h = sd.nn().swish(Layers.conv2d(g, "c", x, 2, 3, 3, 1, Padding.SAME, true));
    SDVariable d = Layers.dense(g, "d", Layers.flatten(h, 3 * 6 * 6), 3 * 6 * 6, 4, true);
    d.sum(1).mul(0.5).add(x.mean(1, 2, 3)).rename("y");
    SDVariable loss = sd.math().square(d).mean().rename("loss");
    loss.markAsLoss();
    params.asMap().forEach((n, p) -> p.addi(new Rng(n.hashCode()).gaussian(DataType.FLOAT, p.shape()).muli(0.3)));
    return sd;
  }

  @Test
  void equalsSameDiffsOutputsAsTheBatchSizeChangesBetweenRuns() {
    SameDiff reference = graph();
    SameDiff sd = graph();
    assertNull(Plan.unsupported(sd));
    int run = 0;
    for (int batch : new int[] {3, 5, 3, 1, 5}) {
      Map<String, INDArray> in = Map.of("x", new Rng(run).gaussian(DataType.FLOAT, batch, 2, 6, 6));
      INDArray expected = reference.output(in, "y").get("y");
      INDArray actual = Forward.run(sd, in, "y").get("y");
      assertArrayEquals(new long[] {batch}, actual.shape(), "run " + run);
      assertArrayEquals(expected.data().asFloat(), actual.data().asFloat(), 0f, "run " + run);
      try (Backprop.Result r = Backprop.run(sd, in, List.of("loss"), List.of("d/W"))) {
        INDArray expectedGrad = reference.calculateGradients(in, List.of("d/W")).get("d/W");
        assertArrayEquals(expectedGrad.data().asFloat(), r.gradients().get("d/W").data().asFloat(), 0f, "dL/dW, run " + run);
      }
      run++;
    }
  }

  @Test
  void aParameterAskedForIsItsOwnArrayAndNeverGivenToTheCache() {
    SameDiff sd = graph();
    INDArray w = sd.getArrForVarName("d/W");
    INDArray before = w.dup();
    Map<String, INDArray> in = Map.of("x", new Rng(1).gaussian(DataType.FLOAT, 3, 2, 6, 6));
    for (int run = 0; run < 3; run++) {
      try (Backprop.Result r = Backprop.run(sd, in, List.of("loss", "d/W"), List.of("d/W"))) {
        assertTrue(r.outputs().get("d/W") == w);
      }
      // a gradient of W's shape is computed every run: it must never be written into W itself
      assertNotSame(w, RecyclingSession.of(sd.getFunction("grad")).memory().allocate(false, DataType.FLOAT, w.shape()));
    }
    assertArrayEquals(before.data().asFloat(), w.data().asFloat(), 0f);
  }

  @Test
  void aGraphWithOpsAPlanDoesNotRunGoesToSameDiffsSession() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3);
    sd.identity(x.mul(2.0)).add(1.0).rename("y");
    String why = Plan.unsupported(sd);
    assertNotNull(why);
    assertTrue(why.contains("Identity"), why);
    INDArray y = Forward.run(sd, Map.of("x", Nd4j.createFromArray(new float[][] {{1, 2, 3}})), "y").get("y");
    assertArrayEquals(new float[] {3, 5, 7}, y.toFloatVector(), 0f);
  }

  @Test
  void aGraphWithListenersRunsInSameDiffsSessionWhichCallsThem() {
    SameDiff reference = graph();
    SameDiff sd = graph();
    AtomicInteger ops = new AtomicInteger();
    sd.setListeners(new BaseListener() {
      @Override
      public boolean isActive(Operation operation) {
        return true;
      }

      @Override
      public void opExecution(SameDiff graph, At at, MultiDataSet batch, SameDiffOp op, OpContext context, INDArray[] outputs) {
        ops.incrementAndGet();
      }
    });
    Map<String, INDArray> in = Map.of("x", new Rng(4).gaussian(DataType.FLOAT, 2, 2, 6, 6));
    INDArray y = Forward.run(sd, in, "y").get("y");
    assertTrue(ops.get() > 0, "the listener saw the ops");
    assertArrayEquals(reference.output(in, "y").get("y").data().asFloat(), y.data().asFloat(), 0f);
  }

  @Test
  void aMissingOrMisshapenPlaceholderIsNamed() {
    SameDiff sd = graph();
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> Forward.run(sd, Map.of(), "y"));
    assertEquals("no array given for placeholder 'x'", missing.getMessage());
    IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
        () -> Forward.run(sd, Map.of("x", Nd4j.zeros(DataType.FLOAT, 3, 2, 6, 5)), "y"));
    assertEquals("placeholder 'x' has shape [-1, 2, 6, 6]; given an array of shape [3, 2, 6, 5]", shape.getMessage());
  }
}
