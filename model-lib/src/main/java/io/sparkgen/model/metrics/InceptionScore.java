package io.sparkgen.model.metrics;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Inception Score (Salimans et al. 2016): exp E_x KL(p(y|x) || p(y)) from class logits, over
 * {@code splits} consecutive splits (10 in the original code), mean and standard deviation across
 * splits. It needs an extractor with class logits; numbers from different classifiers never compare.
 */
public final class InceptionScore {

  private InceptionScore() {}

  public record Result(double mean, double std, int splits) {}

  public static Result of(INDArray logits, int splits) {
    if (logits.rank() != 2 || logits.size(0) < splits || splits < 1) {
      throw new IllegalArgumentException("Inception Score needs logits [n, classes] with n >= splits = " + splits
          + ", got " + Arrays.toString(logits.shape()));
    }
    INDArray p = Transforms.softmax(logits.castTo(DataType.DOUBLE), true);
    long n = p.size(0);
    double[] scores = new double[splits];
    for (int s = 0; s < splits; s++) {
      INDArray part = p.get(NDArrayIndex.interval(n * s / splits, n * (s + 1) / splits), NDArrayIndex.all());
      INDArray py = part.mean(0).reshape(1, part.size(1));
      // KL(p(y|x) || p(y)) = sum_y p log p - p log p(y); 0 log 0 = 0.
      INDArray logP = Transforms.log(Transforms.max(part, 1e-300, true), false);
      INDArray logPy = Transforms.log(Transforms.max(py, 1e-300, true), false);
      INDArray kl = part.mul(logP.subRowVector(logPy)).sum(1);
      scores[s] = Math.exp(kl.meanNumber().doubleValue());
    }
    double mean = Arrays.stream(scores).average().orElseThrow();
    double var = Arrays.stream(scores).map(v -> (v - mean) * (v - mean)).sum() / splits;
    return new Result(mean, Math.sqrt(var), splits);
  }
}
