package io.sparkgen.model.train;

import io.sparkgen.model.Batch;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.StepReport;
import io.sparkgen.model.optim.Ema;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.random.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Trains any {@link GenerativeModel} on one process: draws the batch and the step's random stream
 * from the master seed, calls the family's objective, updates the EMA. Nothing in this file knows
 * which family it trains (after minGPT's trainer and edm's training loop).
 *
 * <p>Everything that step {@code s} sees is a function of (seed, round, partition, s) and the
 * state, so a run restored from a checkpoint continues bit for bit. Data order: the position
 * {@code p = s * B + j} of batch slot j reads image {@code perm_e[p mod N]}, e = p div N, where
 * perm_e is a Fisher-Yates shuffle seeded by {@link Seeds#forEpoch}.
 */
public final class LocalTrainer {

  private final GenerativeModel model;
  private final TrainConfig config;
  private final ImageDataset data;
  private final long round;
  private final long partition;
  private final Ema ema;
  private final List<TrainListener> listeners = new ArrayList<>();
  private long step;
  private long permEpoch = -1;
  private int[] perm;

  public LocalTrainer(GenerativeModel model, TrainConfig config, ImageDataset data) {
    this(model, config, data, 0L, 0L);
  }

  /** A trainer for one partition in one round of a distributed run. */
  public LocalTrainer(GenerativeModel model, TrainConfig config, ImageDataset data, long round, long partition) {
    this.model = Objects.requireNonNull(model, "model");
    this.config = Objects.requireNonNull(config, "config");
    this.data = Objects.requireNonNull(data, "data");
    if (data.size() == 0) {
      throw new IllegalArgumentException("dataset is empty");
    }
    long[] shape = data.images().shape();
    if (shape[1] != model.config().image().channels()
        || shape[2] != model.config().image().height()
        || shape[3] != model.config().image().width()) {
      throw new IllegalArgumentException(
          "data images are " + shape[1] + "x" + shape[2] + "x" + shape[3] + " but the model expects " + model.config().image());
    }
    this.round = round;
    this.partition = partition;
    this.ema = new Ema(config.emaHalfLifeImages(), model.network().parameters());
  }

  public LocalTrainer addListener(TrainListener listener) {
    listeners.add(Objects.requireNonNull(listener));
    return this;
  }

  /** One training step on the next batch. */
  public StepReport step() {
    Batch batch = nextBatch();
    Rng rng = new Rng(Seeds.forStep(config.seed(), round, partition, step));
    StepReport report = model.objective().step(batch, rng);
    ema.update(model.network().parameters(), batch.size());
    long done = step++;
    for (TrainListener l : listeners) {
      l.afterStep(this, done, report);
    }
    return report;
  }

  /** Steps until {@code totalImages} images have been seen. */
  public void train() {
    while (imagesSeen() < config.totalImages()) {
      step();
    }
  }

  /** Steps completed. */
  public long stepCount() {
    return step;
  }

  public long imagesSeen() {
    return step * config.batchSize();
  }

  public long round() {
    return round;
  }

  public long partition() {
    return partition;
  }

  public GenerativeModel model() {
    return model;
  }

  public TrainConfig config() {
    return config;
  }

  public ImageDataset data() {
    return data;
  }

  /** EMA of the parameters, live: what samplers should be given. */
  public NamedArrays ema() {
    return ema.average();
  }

  /**
   * Everything a continuation needs besides the step, live, by name: {@code param/}, {@code
   * buffer/}, {@code optimizer/}, {@code ema/}. The distributed job averages this.
   */
  public NamedArrays state() {
    return NamedArrays.concat(
        Map.of(
            "param", model.network().parameters(),
            "buffer", model.network().buffers(),
            "optimizer", model.objective().optimizerState(),
            "ema", ema.average()));
  }

  /** Overwrites the state with {@code values} (names and shapes must match) and sets the step. */
  public void restore(NamedArrays values, long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    state().assign(values);
    this.step = step;
  }

  private Batch nextBatch() {
    int n = data.size();
    int[] indices = new int[config.batchSize()];
    for (int j = 0; j < indices.length; j++) {
      long p = step * config.batchSize() + j;
      long epoch = p / n;
      if (epoch != permEpoch) {
        perm = new Rng(Seeds.forEpoch(config.seed(), round, partition, epoch)).permutation(n);
        permEpoch = epoch;
      }
      indices[j] = perm[(int) (p % n)];
    }
    return data.gather(indices);
  }

}
