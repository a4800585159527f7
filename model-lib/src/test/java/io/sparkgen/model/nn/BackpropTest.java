package io.sparkgen.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.nn.Layers.Padding;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.BaseNDArray;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Backprop with arrays reused equals a fresh graph's run bit for bit, and SameDiff's own gradient computation, run after run. */
class BackpropTest {

  /**
   * A small conv net with a skip connection (an activation read by two ops far apart), two
   * requested outputs one of which other ops also read, and a loss.
   */
  private static final class Net {
    final NamedArrays params = NamedArrays.empty();
    final SameDiff sd;
    final String loss;
    final String hidden;

    Net() {
      GraphBuilder g = new GraphBuilder(params, NamedArrays.empty(), 5L, DataType.FLOAT);
      sd = g.sd();
      SDVariable x = g.placeholder("x", -1, 2, 8, 8);
      SDVariable h = Layers.conv2d(g, "c1", x, 2, 4, 3, 1, Padding.SAME, true);
      // swish, not Layers.silu: the session runs tanh with another kernel (OneDnnTanh), and the
      // tests compare with SameDiff's own session bit for bit.
      SDVariable a = sd.nn().swish(h);
      SDVariable b = sd.nn().swish(Layers.conv2d(g, "c2", a, 4, 4, 3, 1, Padding.SAME, true));
      SDVariable c = sd.nn().swish(Layers.conv2d(g, "c3", b, 4, 4, 3, 1, Padding.SAME, true));
      SDVariable skip = c.add(a).rename("hidden");
      SDVariable y = Layers.dense(g, "d", Layers.flatten(skip, 4 * 8 * 8), 4 * 8 * 8, 3, true);
      SDVariable target = g.placeholder("t", -1, 3);
      SDVariable l = sd.math().squaredDifference(y, target).mean().add(skip.mean()).rename("loss");
      l.markAsLoss();
      loss = l.name();
      hidden = skip.name();
      params.asMap().forEach((n, p) -> p.addi(new Rng(n.hashCode()).gaussian(DataType.FLOAT, p.shape()).muli(0.2)));
    }

    Map<String, INDArray> inputs(long seed) {
      Rng rng = new Rng(seed);
      return Map.of("x", rng.gaussian(DataType.FLOAT, 3, 2, 8, 8), "t", rng.gaussian(DataType.FLOAT, 3, 3));
    }
  }

  @Test
  void equalsSameDiffsGradientsRunAfterRunWithArraysReused() {
    Net reference = new Net();
    Net net = new Net();
    List<String> names = List.copyOf(net.params.names());
    Set<INDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    boolean reused = false;
    // SameDiff's session runs libnd4j's convolutions, ours oneDNN's (OneDnnConv): equal to float
    // rounding. A fresh graph's first run, with nothing from earlier runs to reuse: equal bits.
    List<Map<String, INDArray>> fresh = new ArrayList<>();
    for (int run = 0; run < 4; run++) {
      Net first = new Net();
      try (Backprop.Result r = Backprop.run(first.sd, first.inputs(run), List.of(first.loss, first.hidden), names)) {
        Map<String, INDArray> copies = new HashMap<>();
        r.gradients().forEach((n, a) -> copies.put(n, a.dup()));
        copies.put("loss", r.outputs().get(first.loss).dup());
        copies.put("hidden", r.outputs().get(first.hidden).dup());
        fresh.add(copies);
      }
    }
    for (int run = 0; run < 4; run++) {
      Map<String, INDArray> in = net.inputs(run);
      OutAndGrad expected = reference.sd.calculateGradientsAndOutputs(in, List.of(reference.loss, reference.hidden), names);
      try (Backprop.Result actual = Backprop.run(net.sd, in, List.of(net.loss, net.hidden), names)) {
        assertIdentical(fresh.get(run).get("loss"), actual.outputs().get(net.loss), "loss, run " + run);
        assertIdentical(fresh.get(run).get("hidden"), actual.outputs().get(net.hidden), "hidden, run " + run);
        assertClose(expected.getOutputs().get(reference.loss), actual.outputs().get(net.loss), "loss, run " + run);
        assertClose(expected.getOutputs().get(reference.hidden), actual.outputs().get(net.hidden), "hidden, run " + run);
        assertEquals(names.size(), actual.gradients().size());
        for (String name : names) {
          assertIdentical(fresh.get(run).get(name), actual.gradients().get(name), name + ", run " + run);
          assertClose(expected.getGradients().get(name), actual.gradients().get(name), name + ", run " + run);
          reused |= !seen.add(actual.gradients().get(name));
        }
      }
    }
    assertTrue(reused, "gradients given back by close() are handed out again");
  }

  /**
   * A FLOAT placeholder fed a DOUBLE array, in a graph that also computes a DOUBLE array of that
   * shape: the caller's array must come out of every run unchanged (M2.1's session would give it
   * to its cache at the end of a run, and the next run's DOUBLE op would write into it).
   */
  @Test
  void aPlaceholderOfAnotherTypeIsCastAndTheCallersArrayNeverReused() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 4);
    SDVariable w = sd.var("w", Nd4j.createFromArray(0.5f, -1f, 2f, 0.25f));
    SDVariable tripled = x.castTo(DataType.DOUBLE).mul(3.0);
    SDVariable loss = tripled.castTo(DataType.FLOAT).mul(w).sum().rename("loss");
    loss.markAsLoss();
    // 1.1 has no exact float: a float computation written into the caller's array would show
    INDArray xDouble = Nd4j.createFromArray(new double[][] {{1.1, 2, 3, 4}, {-1, 0.5, 0, 8}});
    INDArray copy = xDouble.dup();
    for (int run = 0; run < 3; run++) {
      try (Backprop.Result r = Backprop.run(sd, Map.of("x", xDouble), List.of("loss"), List.of("w"))) {
        assertEquals(3 * (0.5 * 0.1 - 1 * 2.5 + 2 * 3 + 0.25 * 12), r.outputs().get("loss").getDouble(0), 1e-6, "run " + run);
        assertArrayEquals(new float[] {0.3f, 7.5f, 9f, 36f}, r.gradients().get("w").toFloatVector(), 1e-6f, "dL/dw, run " + run);
      }
      assertIdentical(copy, xDouble, "the caller's placeholder after run " + run);
    }
  }

  /** Same shape and type, values within 1e-5 of the largest. */
  private static void assertClose(INDArray expected, INDArray actual, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what);
    assertEquals(expected.dataType(), actual.dataType(), what);
    double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
    // A copy: an op that read the session's array itself would keep its buffer in use, and the
    // session then (rightly) never reuses it.
    double error = expected.sub(actual.dup('c')).amaxNumber().doubleValue();
    assertTrue(error <= 1e-5 * scale, what + ": max error " + error + " of max " + scale);
  }

  /** Same shape, type and bits. */
  private static void assertIdentical(INDArray expected, INDArray actual, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what);
    assertEquals(expected.dataType(), actual.dataType(), what);
    assertArrayEquals(expected.dup('c').data().asDouble(), actual.dup('c').data().asDouble(), 0.0, what);
  }

  /**
   * Why the session has its own cache: in M2.1 a reused array's new id is the next new array's id
   * ({@code assignNewId} is counter + 1, construction takes counter++), and M2.1's cache, which
   * knows arrays by id, refuses the second of two such arrays. Ours keeps both.
   */
  @Test
  void twoArraysWithOneIdAreBothKept() {
    INDArray reused = Nd4j.createUninitializedDetached(DataType.FLOAT, 4, 4);
    ((BaseNDArray) reused).assignNewId();
    INDArray fresh = Nd4j.createUninitializedDetached(DataType.FLOAT, 4, 8);
    assertEquals(reused.getId(), fresh.getId(), "M2.1 gives both arrays one id");

    ArrayCacheMemoryMgr m21 = new ArrayCacheMemoryMgr();
    m21.release(reused);
    assertThrows(IllegalStateException.class, () -> m21.release(fresh));

    RecyclingSession.ArrayCache cache = RecyclingSession.of(SameDiff.create()).memory();
    cache.release(reused);
    cache.release(fresh);
    assertTrue(cache.allocate(false, DataType.FLOAT, 4, 8) == fresh);
    assertTrue(cache.allocate(false, DataType.FLOAT, 4, 4) == reused);
    assertFalse(cache.allocate(false, DataType.FLOAT, 4, 4) == reused, "each array is handed out once");
  }

  @Test
  void theCacheFreesTheOldestArraysBeyondItsLimitAndNeverKeepsViews() {
    RecyclingSession session = RecyclingSession.of(SameDiff.create());
    RecyclingSession.ArrayCache cache = session.new ArrayCache(2 * 4 * 16);
    INDArray a = Nd4j.createUninitializedDetached(DataType.FLOAT, 16);
    INDArray b = Nd4j.createUninitializedDetached(DataType.FLOAT, 16);
    INDArray c = Nd4j.createUninitializedDetached(DataType.FLOAT, 16);
    cache.release(a);
    cache.release(b);
    cache.release(c);
    assertTrue(a.wasClosed(), "the oldest array is freed to make room");
    assertFalse(b.wasClosed());
    INDArray view = Nd4j.createUninitializedDetached(DataType.FLOAT, 4, 16).getRow(1);
    cache.release(view);
    INDArray first = cache.allocate(false, DataType.FLOAT, 16);
    INDArray second = cache.allocate(false, DataType.FLOAT, 16);
    INDArray third = cache.allocate(false, DataType.FLOAT, 16);
    assertTrue(first == c && second == b, "newest first");
    assertTrue(third != view && third != a);
  }

  /** A session whose thread has ended is dropped, its cached arrays freed, when another thread starts one. */
  @Test
  void theSessionOfAnEndedThreadIsDroppedAndItsArraysFreed() throws InterruptedException {
    SameDiff graph = SameDiff.create();
    INDArray kept = Nd4j.createUninitializedDetached(DataType.FLOAT, 8);
    Thread worker = new Thread(() -> RecyclingSession.of(graph).memory().release(kept));
    worker.start();
    worker.join();
    assertEquals(1, graph.getSessions().size());
    assertFalse(kept.wasClosed());
    RecyclingSession mine = RecyclingSession.of(graph);
    assertTrue(kept.wasClosed());
    assertEquals(Map.of(Thread.currentThread().getId(), mine), graph.getSessions());
  }
}
