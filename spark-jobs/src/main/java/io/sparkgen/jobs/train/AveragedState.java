package io.sparkgen.jobs.train;

import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.train.LocalTrainer;
import java.io.Serializable;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The state the driver broadcasts each round: every array a trainer continues from (parameters,
 * buffers, optimizer state, EMA; {@link LocalTrainer#state()}), by name, and the global step.
 */
public record AveragedState(SortedMap<String, float[]> values, long step) implements Serializable {

  public AveragedState {
    values = Collections.unmodifiableSortedMap(new TreeMap<>(values));
  }

  public static AveragedState of(LocalTrainer trainer) {
    return new AveragedState(trainer.state().toFloats(), trainer.stepCount());
  }

  /** Puts this state into {@code trainer}; names and sizes must match its model's. */
  public void restoreInto(LocalTrainer trainer) {
    NamedArrays state = trainer.state();
    state.assignFloats(values);
    trainer.restore(state, step);
  }
}
