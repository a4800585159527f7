package io.sparkgen.model.flow;

import io.sparkgen.model.ImageShape;

/** The contract test's tiny flow config, for tests in other packages. */
public final class FlowContractTestAccess {
  private FlowContractTestAccess() {}

  public static FlowConfig tiny(ImageShape image, int classes, int steps) {
    return FlowContractTest.tiny(image, classes, steps);
  }
}
