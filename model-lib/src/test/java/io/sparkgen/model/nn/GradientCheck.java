package io.sparkgen.model.nn;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite differences against the gradients that training uses ({@link Backprop}, {@link
 * Forward}: our session, with its fused and substituted ops), in double precision:
 * dL/dtheta_i ~ (L(theta + h e_i) - L(theta - h e_i)) / 2h, checked on every element (or every
 * {@code stride}-th) of every named variable.
 */
public final class GradientCheck {

  private GradientCheck() {}

  /** Largest relative error |a - n| / max(|a| + |n|, floor) over the checked elements. */
  public static double maxRelativeError(
      SameDiff sd, Map<String, INDArray> placeholders, String loss, List<String> variables, double h, int stride) {
    Map<String, INDArray> analytic = new HashMap<>();
    try (Backprop.Result result = Backprop.run(sd, placeholders, List.of(loss), variables)) {
      result.gradients().forEach((name, gradient) -> analytic.put(name, gradient.dup()));
    }
    double worst = 0;
    for (String name : variables) {
      INDArray theta = sd.getArrForVarName(name);
      if (theta.dataType() != DataType.DOUBLE) {
        throw new IllegalArgumentException(name + " must be DOUBLE for a gradient check, is " + theta.dataType());
      }
      INDArray flat = theta.reshape(theta.length());
      INDArray grad = analytic.get(name).reshape(theta.length());
      for (long i = 0; i < flat.length(); i += stride) {
        double original = flat.getDouble(i);
        flat.putScalar(i, original + h);
        double plus = Forward.run(sd, placeholders, loss).get(loss).getDouble(0);
        flat.putScalar(i, original - h);
        double minus = Forward.run(sd, placeholders, loss).get(loss).getDouble(0);
        flat.putScalar(i, original);
        double numeric = (plus - minus) / (2 * h);
        double a = grad.getDouble(i);
        double error = Math.abs(a - numeric) / Math.max(Math.abs(a) + Math.abs(numeric), 1e-6);
        worst = Math.max(worst, error);
      }
    }
    return worst;
  }
}
