package io.sparkgen.model.nn;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * tanh through libnd4j's custom {@code tanh} op, which runs oneDNN's vectorised eltwise kernel,
 * instead of the legacy transform that SameDiff's {@code math().tanh} records (a scalar loop: 7.4 ms
 * against 1.5 ms for [64, 32, 28, 28] on the 2-core AVX-512 machine). Its backward op ({@code
 * tanh_bp}) already is the custom op. Values agree to float rounding.
 */
final class OneDnnTanh {

  private OneDnnTanh() {}

  /** Whether {@code op} is the legacy tanh transform with one input and one output in {@code context}. */
  static boolean replaces(DifferentialFunction op, OpContext context) {
    return op instanceof Tanh
        && context != null
        && context.getInputArrays().size() == 1
        && context.getOutputArrays().size() == 1
        && TransposedConv.backendHasOneDnn();
  }

  /** Runs the custom op on {@code context}'s input into its output. */
  static void run(OpContext context) {
    apply(context.getInputArrays().get(0), context.getOutputArrays().get(0));
  }

  /** out = tanh(in) by the custom op ({@code out} may be {@code in}). */
  static void apply(INDArray in, INDArray out) {
    Nd4j.exec(DynamicCustomOp.builder("tanh").addInputs(in).addOutputs(out).build());
  }
}
