package io.sparkgen.model.train;

import io.sparkgen.model.StepReport;

/**
 * Stops training at the first non-finite metric, and checks the parameters every {@code every}
 * steps: cluster runs have ended with NaN parameters for reasons not yet found (STACK.md).
 */
public final class DivergenceGuard implements TrainListener {

  private final long every;

  public DivergenceGuard(long every) {
    io.sparkgen.model.config.Check.positive("every", every);
    this.every = every;
  }

  @Override
  public void afterStep(LocalTrainer trainer, long step, StepReport report) {
    if (!report.allFinite()) {
      throw new DivergenceException("non-finite metric at step " + step + ": " + report.metrics());
    }
    if ((step + 1) % every == 0 && !trainer.model().network().parameters().allFinite()) {
      throw new DivergenceException("non-finite parameter after step " + step);
    }
  }

  /** Training produced NaN or infinity. */
  public static final class DivergenceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DivergenceException(String message) {
      super(message);
    }
  }
}
