package io.sparkgen.model.train;

import io.sparkgen.model.config.Check;

/**
 * What the trainer needs, whichever family it trains. Units are in the names.
 *
 * @param seed the master seed every other seed is derived from ({@code Seeds})
 * @param batchSize images per step
 * @param totalImages images to train on before {@link LocalTrainer#train()} returns
 * @param emaHalfLifeImages half-life of the weights' EMA, in images (edm's ema_halflife_kimg x 1000)
 */
public record TrainConfig(long seed, int batchSize, long totalImages, double emaHalfLifeImages) {

  public TrainConfig {
    Check.positive("batchSize", batchSize);
    Check.positive("totalImages", totalImages);
    Check.nonNegative("emaHalfLifeImages", emaHalfLifeImages);
  }

  /** Batch 64, ten Fashion-MNIST epochs, EMA half-life 10k images, seed 0. */
  public static TrainConfig defaults() {
    return new TrainConfig(0L, 64, 600_000L, 10_000.0);
  }
}
