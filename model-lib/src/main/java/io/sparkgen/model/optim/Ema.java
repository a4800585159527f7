package io.sparkgen.model.optim;

import io.sparkgen.model.config.Check;
import io.sparkgen.model.params.NamedArrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exponential moving average of weights with a half-life counted in images, as edm's
 * training_loop.py ({@code ema_halflife_kimg}): after each batch of B images,
 * theta_ema = theta + beta (theta_ema - theta) with beta = 0.5^(B / halfLifeImages).
 */
public final class Ema {

  private final double halfLifeImages;
  private final NamedArrays average;

  /** Starts the average at a copy of {@code parameters}. */
  public Ema(double halfLifeImages, NamedArrays parameters) {
    Check.nonNegative("halfLifeImages", halfLifeImages);
    this.halfLifeImages = halfLifeImages;
    this.average = parameters.copy();
  }

  /** beta for a batch of {@code batchImages}; a half-life of 0 tracks the weights exactly. */
  public double beta(long batchImages) {
    return halfLifeImages == 0 ? 0.0 : Math.pow(0.5, batchImages / halfLifeImages);
  }

  public void update(NamedArrays parameters, long batchImages) {
    double beta = beta(batchImages);
    float betaf = (float) beta;
    parameters.asMap().forEach(
        (name, theta) -> InPlace.apply(
            new INDArray[] {average.get(name), theta},
            1,
            (a, n) -> {
              for (int i = 0; i < n; i++) {
                a[0][i] = a[1][i] + betaf * (a[0][i] - a[1][i]);
              }
            },
            (a, n) -> {
              for (int i = 0; i < n; i++) {
                a[0][i] = a[1][i] + beta * (a[0][i] - a[1][i]);
              }
            }));
  }

  /** The averaged weights, live. */
  public NamedArrays average() {
    return average;
  }
}
