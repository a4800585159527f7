package io.sparkgen.model.flow;

import io.sparkgen.model.random.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * From 8-bit images to the flow's input and back (RealNVP, Dinh et al. 2017, Sec. 4.1): uniform
 * dequantisation y = (k + u) / 256, u ~ U(0, 1)^D, for pixel levels k in {0..255}; then the logit
 * transform x = logit(alpha + (1 - 2 alpha) y) with log|dx/dy| = log(1 - 2 alpha) - log p - log(1 - p),
 * p = alpha + (1 - 2 alpha) y. All in double precision.
 *
 * <p>Bits per dimension of the discrete image: -log2 P(k) ~ -log2 p(y) + D log2 256 with
 * log p(y) = log p(x) + log|dx/dy| (Theis, van den Oord &amp; Bethge 2016; Glow's objective).
 */
public final class Dequantization {

  /** Pixel levels of an 8-bit image. */
  public static final int LEVELS = 256;

  private final double alpha;

  public Dequantization(double alpha) {
    if (!(alpha > 0 && alpha < 0.5)) {
      throw new IllegalArgumentException("alpha must be in (0, 0.5), got " + alpha);
    }
    this.alpha = alpha;
  }

  /** The flow's input x for a batch of images, and log|dx/dy| per image. */
  public record Prepared(INDArray x, double[] logDet) {}

  /**
   * {@link #levels}, {@link #dequantise}, {@link #logit} and {@link #logDet} in one pass over the
   * pixels (double arithmetic, the same draws from {@code rng} in the same order); x in {@code type}.
   * A training step's ~15 whole-batch ND4J ops became one loop.
   */
  public Prepared prepare(INDArray images, Rng rng, DataType type) {
    long n = images.size(0);
    double[] v = images.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    int perImage = Math.toIntExact(v.length / n);
    double scale = 1 - 2 * alpha;
    double logScale = Math.log(scale);
    double[] logDet = new double[(int) n];
    for (int i = 0; i < v.length; i++) {
      double level = Math.min(Math.max(Math.floor((v[i] + 1.0) * (0.5 * (LEVELS - 1)) + 0.5), 0.0), LEVELS - 1.0);
      double p = alpha + scale * ((level + rng.nextDouble()) / LEVELS);
      double logP = Math.log(p);
      double logOneMinusP = Math.log(1.0 - p);
      v[i] = logP - logOneMinusP;
      logDet[i / perImage] += logScale - logP - logOneMinusP;
    }
    return new Prepared(Nd4j.createFromArray(v).reshape(images.shape()).castTo(type), logDet);
  }

  /** Levels k = round((x + 1) / 2 * 255) in {0..255} of images in [-1, 1], as doubles. */
  public static INDArray levels(INDArray images) {
    INDArray k = Transforms.round(images.castTo(DataType.DOUBLE).add(1.0).muli(0.5 * (LEVELS - 1)), false);
    return Transforms.min(Transforms.max(k, 0.0, false), LEVELS - 1.0, false);
  }

  /** y = (k + u) / 256 with u ~ U(0, 1) drawn from {@code rng}. */
  public static INDArray dequantise(INDArray levels, Rng rng) {
    return levels.add(rng.uniform(DataType.DOUBLE, 0.0, 1.0, levels.shape())).divi(LEVELS);
  }

  /** x = logit(alpha + (1 - 2 alpha) y). */
  public INDArray logit(INDArray y) {
    INDArray p = y.castTo(DataType.DOUBLE).mul(1 - 2 * alpha).addi(alpha);
    INDArray oneMinusP = p.rsub(1.0);
    return Transforms.log(p, true).subi(Transforms.log(oneMinusP, false));
  }

  /** log|det dx/dy| per image (sum over all but the first axis). */
  public double[] logDet(INDArray y) {
    INDArray p = y.castTo(DataType.DOUBLE).mul(1 - 2 * alpha).addi(alpha);
    INDArray terms = Transforms.log(p, true).addi(Transforms.log(p.rsub(1.0), false)).negi().addi(Math.log(1 - 2 * alpha));
    return terms.reshape(y.size(0), y.length() / y.size(0)).sum(1).toDoubleVector();
  }

  /** y = (sigmoid(x) - alpha) / (1 - 2 alpha), not clipped. */
  public INDArray inverse(INDArray x) {
    return Transforms.sigmoid(x.castTo(DataType.DOUBLE), false).subi(alpha).divi(1 - 2 * alpha);
  }

  /** Bits per dimension of 8-bit images from log p(x) (logit space, nats) and log|dx/dy|, per image. */
  public static double bitsPerDim(double logPx, double logDetLogit, long dimensions) {
    double logPy = logPx + logDetLogit;
    return (-logPy + dimensions * Math.log(LEVELS)) / (dimensions * Math.log(2.0));
  }

  public double alpha() {
    return alpha;
  }
}
