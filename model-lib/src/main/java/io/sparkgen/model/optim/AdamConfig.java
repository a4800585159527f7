package io.sparkgen.model.optim;

import io.sparkgen.model.config.Check;

/**
 * Adam's hyper-parameters (Kingma &amp; Ba 2015): step size alpha, decay rates beta1 and beta2, and
 * epsilon-hat of the paper's efficient form (Sec. 2), which is what TensorFlow's epsilon is.
 */
public record AdamConfig(double learningRate, double beta1, double beta2, double epsilon) {

  public AdamConfig {
    Check.positive("learningRate", learningRate);
    Check.inRange("beta1", beta1, 0.0, 1.0);
    Check.inRange("beta2", beta2, 0.0, 1.0);
    Check.positive("epsilon", epsilon);
  }

  /** TensorFlow's defaults but the given step size and beta1. */
  public static AdamConfig of(double learningRate, double beta1) {
    return new AdamConfig(learningRate, beta1, 0.999, 1e-7);
  }
}
