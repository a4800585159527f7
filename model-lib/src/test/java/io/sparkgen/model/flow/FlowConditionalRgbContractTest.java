package io.sparkgen.model.flow;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;

/** The flow contract for a class-conditional RGB model. */
class FlowConditionalRgbContractTest extends FlowContractTest {
  @Override
  protected ModelConfig tinyConfig() {
    return FlowContractTest.tiny(new ImageShape(3, 8, 8), 3, 2);
  }

  @Override
  protected ModelConfig otherArchitecture() {
    return FlowContractTest.tiny(new ImageShape(3, 8, 8), 3, 3);
  }
}
