package io.sparkgen.model.gan;

/** The generator network, named in configs as {@link #id()}; both use the DCGAN's discriminator. */
public enum GanGenerator {
  /** TensorFlow's DCGAN tutorial generator ({@link Dcgan}). */
  DCGAN("dcgan"),
  /** A StyleGAN2-style generator: mapping network, modulated convolutions, noise, style mixing ({@link StyleGan}). */
  STYLE("style");

  private final String id;

  GanGenerator(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /** The generator named {@code id}; the error names the config key and the choices. */
  public static GanGenerator of(String id) {
    for (GanGenerator generator : values()) {
      if (generator.id.equals(id)) {
        return generator;
      }
    }
    throw new IllegalArgumentException("generator must be dcgan or style, got '" + id + "'");
  }
}
