package io.sparkgen.model.gan;

/** The adversarial objective, named in configs as {@link #id()}. */
public enum GanLoss {
  /** Goodfellow et al. 2014, Sec. 3: both players' logistic losses, G's non-saturating; one simultaneous step. */
  NON_SATURATING("non-saturating"),
  /** Gulrajani et al. 2017, Alg. 1: Wasserstein critic with a gradient penalty, n_critic critic steps per G step. */
  WGAN_GP("wgan-gp");

  private final String id;

  GanLoss(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /** The loss named {@code id}; the error names the config key and the choices. */
  public static GanLoss of(String id) {
    for (GanLoss loss : values()) {
      if (loss.id.equals(id)) {
        return loss;
      }
    }
    throw new IllegalArgumentException("loss must be non-saturating or wgan-gp, got '" + id + "'");
  }
}
