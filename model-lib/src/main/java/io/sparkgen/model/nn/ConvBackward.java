package io.sparkgen.model.nn;

import java.util.List;
import org.nd4j.autodiff.samediff.internal.SessionMemMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * libnd4j's {@code conv2d_bp} run over the batch in chunks of {@value #CHUNK} images where that is
 * several times faster. libnd4j asks oneDNN (2.3) for "any" algorithm, and oneDNN then takes its
 * Winograd kernels for the backward pass of 3x3 stride-1 convolutions of more than 8 images; on
 * the small images of this product's defaults they are up to 5 times slower than its direct
 * kernels, which it uses for up to 8 images. Measured on the 2-core AVX-512 machine (batch 64,
 * ms for the whole batch against 8 chunks): 128->128 channels at 14x14 104-113 vs 31-42, 192->64
 * at 14x14 83-131 vs 23-28, 256->128 at 7x7 58-60 vs 22-24; but 128->128 at 7x7 6 vs 9-11, 64->64
 * at 14x14 7 vs 9-10, and at 28x28 Winograd is as fast or faster. Hence the rule: split only 3x3
 * stride-1 convolutions of at most 14x14 outputs whose in x out channels x output positions reach
 * {@value #MIN_WORK}. The rule depends on shapes alone, so runs stay deterministic; the weight
 * and bias gradients are summed over the chunks in a fixed order (values differ from the whole
 * batch's by float rounding).
 */
final class ConvBackward {

  /** oneDNN 2.3 uses Winograd for more than 8 images (is_winograd_faster_than_direct). */
  static final int CHUNK = 8;

  /** in channels x out channels x output positions from which the split pays (see the table above). */
  static final long MIN_WORK = 1_500_000L;

  /** Largest output size (positions) at which Winograd was measured slower than the split. */
  static final long MAX_POSITIONS = 14L * 14L;

  private ConvBackward() {}

  /**
   * Whether {@code conv2d_bp} with these arrays and integer arguments (libnd4j's: kH, kW, sH, sW,
   * pH, pW, dH, dW, same-padding, NHWC, weight format) runs in chunks: never without oneDNN.
   */
  static boolean splits(List<INDArray> inputs, List<INDArray> outputs, long[] args) {
    boolean threeByThreeStrideOne =
        args.length >= 11 && args[0] == 3 && args[1] == 3 && args[2] == 1 && args[3] == 1 && args[6] == 1 && args[7] == 1;
    if (!threeByThreeStrideOne || !TransposedConv.backendHasOneDnn()) {
      return false;
    }
    INDArray x = inputs.get(0);
    INDArray gradOut = inputs.get(inputs.size() - 1);
    if (x.rank() != 4 || x.size(0) <= CHUNK || !contiguous(x) || !contiguous(gradOut) || !contiguous(outputs.get(0))) {
      return false;
    }
    boolean nhwc = args[9] == 1;
    long inChannels = x.size(nhwc ? 3 : 1);
    long outChannels = gradOut.size(nhwc ? 3 : 1);
    long positions = nhwc ? gradOut.size(1) * gradOut.size(2) : gradOut.size(2) * gradOut.size(3);
    return positions <= MAX_POSITIONS && inChannels * outChannels * positions >= MIN_WORK;
  }

  /**
   * Runs {@code conv2d_bp} on {@code context}'s inputs (x, W, [b], dL/dy) into its outputs (dL/dx,
   * dL/dW, [dL/db]) chunk by chunk; scratch arrays come from and go back to {@code memory}.
   */
  static void run(OpContext context, long[] args, SessionMemMgr memory) {
    List<INDArray> in = context.getInputArrays();
    List<INDArray> out = context.getOutputArrays();
    boolean bias = in.size() == 4;
    INDArray x = in.get(0);
    INDArray gradOut = in.get(in.size() - 1);
    INDArray gradIn = out.get(0);
    INDArray gradW = out.get(1);
    INDArray gradB = bias ? out.get(2) : null;
    INDArray chunkW = memory.allocate(false, gradW.dataType(), gradW.shape());
    INDArray chunkB = bias ? memory.allocate(false, gradB.dataType(), gradB.shape()) : null;
    long n = x.size(0);
    int[] ints = toInts(args);
    for (long from = 0; from < n; from += CHUNK) {
      var rows = NDArrayIndex.interval(from, Math.min(from + CHUNK, n));
      boolean first = from == 0;
      INDArray[] inputs = bias
          ? new INDArray[] {x.get(rows), in.get(1), in.get(2), gradOut.get(rows)}
          : new INDArray[] {x.get(rows), in.get(1), gradOut.get(rows)};
      INDArray[] outputs = bias
          ? new INDArray[] {gradIn.get(rows), first ? gradW : chunkW, first ? gradB : chunkB}
          : new INDArray[] {gradIn.get(rows), first ? gradW : chunkW};
      Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(inputs).addOutputs(outputs).addIntegerArguments(ints).build());
      if (!first) {
        gradW.addi(chunkW);
        if (bias) {
          gradB.addi(chunkB);
        }
      }
    }
    memory.release(chunkW);
    if (bias) {
      memory.release(chunkB);
    }
  }

  private static boolean contiguous(INDArray a) {
    return a.ordering() == 'c' && a.elementWiseStride() == 1 && !a.isEmpty();
  }

  private static int[] toInts(long[] values) {
    int[] ints = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      ints[i] = Math.toIntExact(values[i]);
    }
    return ints;
  }
}
