package io.sparkgen.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.random.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * oneDNN's convolutions equal libnd4j's own double-precision ones (its im2col code, not oneDNN) to
 * float rounding, forward and backward, over kernel sizes, strides, 'same' and explicit padding
 * (also where the last output drops input rows), dilation, bias, NHWC data and libnd4j's three
 * kernel layouts; and a training graph runs its convolutions here.
 */
class OneDnnConvTest {

  /** One case: kernel k, stride s, padding mode (1 same, 0 explicit pad p), dilation d, layouts. */
  private record Case(int n, int in, int out, int h, int w, int k, int s, int mode, int p, int d,
      boolean nhwc, int layout, boolean bias) {

    long[] args() {
      return new long[] {k, k, s, s, p, p, d, d, mode, nhwc ? 1 : 0, layout};
    }

    long outSize(long size) {
      long eff = (k - 1L) * d + 1;
      return mode == 1 ? (size + s - 1) / s : (size + 2L * p - eff) / s + 1;
    }

    long[] dataShape(long c, long hh, long ww) {
      return nhwc ? new long[] {n, hh, ww, c} : new long[] {n, c, hh, ww};
    }

    long[] kernelShape() {
      return switch (layout) {
        case 0 -> new long[] {k, k, in, out};
        case 1 -> new long[] {out, in, k, k};
        default -> new long[] {out, k, k, in};
      };
    }
  }

  private static final List<Case> CASES = List.of(
      new Case(3, 2, 16, 9, 7, 3, 1, 1, 0, 1, false, 0, true),
      new Case(2, 16, 32, 6, 5, 3, 1, 1, 0, 1, false, 0, true), // blocked layouts throughout
      new Case(3, 16, 4, 9, 7, 3, 1, 1, 0, 1, false, 0, false),
      new Case(2, 5, 7, 8, 8, 1, 1, 1, 0, 1, false, 0, true),
      new Case(2, 3, 17, 10, 9, 5, 2, 1, 0, 1, false, 0, true), // 'same', stride 2: padding 1 + 2 rows, 2 + 2 columns
      new Case(2, 4, 6, 14, 13, 3, 2, 0, 0, 1, false, 0, true), // valid: the last input row is never read
      new Case(2, 4, 6, 12, 9, 3, 1, 0, 2, 1, false, 0, false), // explicit padding 2
      new Case(2, 3, 5, 12, 12, 3, 1, 1, 0, 2, false, 0, true), // dilation 2
      new Case(2, 6, 5, 7, 9, 3, 1, 1, 0, 1, true, 0, true), // NHWC data
      new Case(2, 6, 5, 7, 9, 3, 2, 1, 0, 1, false, 1, true), // [out, in, kH, kW]
      new Case(2, 6, 5, 7, 9, 3, 1, 1, 0, 1, true, 2, false)); // [out, kH, kW, in], NHWC

  private static INDArray exec(String op, long[] args, List<INDArray> in, List<INDArray> out) {
    DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder(op);
    b.addInputs(in.toArray(new INDArray[0])).addOutputs(out.toArray(new INDArray[0]));
    b.addIntegerArguments(toInts(args));
    Nd4j.exec(b.build());
    return out.get(0);
  }

  private static int[] toInts(long[] a) {
    int[] r = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = (int) a[i];
    }
    return r;
  }

  private static List<INDArray> doubles(List<INDArray> arrays) {
    List<INDArray> r = new ArrayList<>();
    for (INDArray a : arrays) {
      r.add(a.castTo(DataType.DOUBLE));
    }
    return r;
  }

  private static List<INDArray> likes(List<INDArray> arrays) {
    List<INDArray> r = new ArrayList<>();
    for (INDArray a : arrays) {
      r.add(Nd4j.create(a.dataType(), a.shape()));
    }
    return r;
  }

  private static void assertClose(INDArray expected, INDArray actual, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what);
    double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
    double error = expected.sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    assertTrue(error <= 2e-5 * scale, what + ": max error " + error + " of max " + scale);
  }

  @Test
  void forwardAndBackwardEqualLibnd4jsDoublePrecisionConvolutions() {
    Rng rng = new Rng(21);
    for (Case c : CASES) {
      long oh = c.outSize(c.h), ow = c.outSize(c.w);
      INDArray x = rng.gaussian(DataType.FLOAT, c.dataShape(c.in, c.h, c.w));
      INDArray w = rng.gaussian(DataType.FLOAT, c.kernelShape()).muli(0.3);
      INDArray gradOut = rng.gaussian(DataType.FLOAT, c.dataShape(c.out, oh, ow));
      List<INDArray> in = new ArrayList<>(List.of(x, w));
      if (c.bias) {
        in.add(rng.gaussian(DataType.FLOAT, c.out));
      }
      List<INDArray> y = List.of(Nd4j.create(DataType.FLOAT, c.dataShape(c.out, oh, ow)));
      assertTrue(OneDnnConv.forward(c.args(), in, y), c + " must run in oneDNN");
      INDArray expectedY = exec("conv2d", c.args(), doubles(in), likes(doubles(y)));
      assertClose(expectedY, y.get(0), c + " y");

      List<INDArray> bpIn = new ArrayList<>(in);
      bpIn.add(gradOut);
      List<INDArray> grads = new ArrayList<>(List.of(x.ulike(), w.ulike()));
      if (c.bias) {
        grads.add(in.get(2).ulike());
      }
      assertTrue(OneDnnConv.backward(c.args(), bpIn, grads), c + " backward must run in oneDNN");
      List<INDArray> expected = likes(doubles(grads));
      exec("conv2d_bp", c.args(), doubles(bpIn), expected);
      String[] names = {"dL/dx", "dL/dW", "dL/db"};
      for (int i = 0; i < grads.size(); i++) {
        assertClose(expected.get(i), grads.get(i), c + " " + names[i]);
      }
    }
  }

  @Test
  void repeatedCallsAreBitIdenticalAndStridedArraysAreReadByTheirStrides() {
    Rng rng = new Rng(5);
    Case c = CASES.get(0);
    long[] args = c.args();
    INDArray x = rng.gaussian(DataType.FLOAT, 3, 2, 9, 7);
    INDArray xf = x.dup('f'); // same values, other strides
    INDArray w = rng.gaussian(DataType.FLOAT, 3, 3, 2, 16);
    INDArray b = rng.gaussian(DataType.FLOAT, 16);
    INDArray y1 = Nd4j.create(DataType.FLOAT, 3, 16, 9, 7), y2 = y1.ulike(), y3 = y1.ulike();
    assertTrue(OneDnnConv.forward(args, List.of(x, w, b), List.of(y1)));
    assertTrue(OneDnnConv.forward(args, List.of(x, w, b), List.of(y2)));
    assertTrue(OneDnnConv.forward(args, List.of(xf, w, b), List.of(y3)));
    assertEquals(y1, y2);
    assertClose(y1.castTo(DataType.DOUBLE), y3, "f-ordered x");
  }

  @Test
  void leavesToLibnd4jWhatItCannotStandInFor() {
    Case c = CASES.get(0);
    INDArray x = Nd4j.create(DataType.FLOAT, 3, 2, 9, 7);
    INDArray w = Nd4j.create(DataType.FLOAT, 3, 3, 2, 16);
    INDArray y = Nd4j.create(DataType.FLOAT, 3, 16, 9, 7);
    assertFalse(OneDnnConv.forward(c.args(), List.of(x.castTo(DataType.DOUBLE), w.castTo(DataType.DOUBLE)),
        List.of(y.castTo(DataType.DOUBLE))), "double precision");
    long[] causal = c.args();
    causal[8] = 2;
    assertFalse(OneDnnConv.forward(causal, List.of(x, w), List.of(y)), "causal padding");
    assertFalse(OneDnnConv.forward(c.args(), List.of(x, w), List.of(Nd4j.create(DataType.FLOAT, 3, 16, 8, 7))),
        "an output shape libnd4j would not give");
    INDArray big = Nd4j.create(DataType.FLOAT, 4, 2, 9, 7);
    INDArray view = big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 4));
    assertFalse(OneDnnConv.forward(c.args(), List.of(view, w), List.of(y)), "a view at an offset");
  }

  @Test
  void aTrainingGraphsConvolutionsRunHereWithSameDiffsGradients() {
    Rng rng = new Rng(8);
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.var("x", rng.gaussian(DataType.FLOAT, 4, 3, 10, 10));
    SDVariable w = sd.var("w", rng.gaussian(DataType.FLOAT, 3, 3, 3, 8).muli(0.3));
    SDVariable b = sd.var("b", rng.gaussian(DataType.FLOAT, 8));
    SDVariable y = sd.cnn().conv2d(x, w, b, org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig.builder()
        .kH(3).kW(3).sH(2).sW(2).paddingMode(org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode.SAME)
        .dataFormat("NCHW").build());
    SDVariable loss = sd.math().tanh(y).mul(sd.constant(rng.gaussian(DataType.FLOAT, 4, 8, 5, 5))).sum().rename("loss");
    loss.markAsLoss();
    List<String> wrt = List.of("x", "w", "b");
    Map<String, INDArray> expected = sd.calculateGradients(Map.of(), wrt); // SameDiff's session: libnd4j's convolutions
    int before = OneDnnConv.kernelsBuiltOnThisThread();
    try (Backprop.Result result = Backprop.run(sd, Map.of(), List.of("loss"), wrt)) {
      assertEquals(before + 2, OneDnnConv.kernelsBuiltOnThisThread(), "forward and backward kernels built");
      for (String name : wrt) {
        assertClose(expected.get(name).castTo(DataType.DOUBLE), result.gradients().get(name), name);
      }
    }
  }
}
