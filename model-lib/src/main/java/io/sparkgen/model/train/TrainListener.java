package io.sparkgen.model.train;

import io.sparkgen.model.StepReport;

/** Side effects of training (logging, checks, checkpoints) kept out of the loop itself. */
@FunctionalInterface
public interface TrainListener {

  /** Called after step {@code step} (0-based) has been applied. */
  void afterStep(LocalTrainer trainer, long step, StepReport report);
}
