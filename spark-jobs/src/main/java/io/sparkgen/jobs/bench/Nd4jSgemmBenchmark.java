package io.sparkgen.jobs.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J float32 matrix multiply C = A·B (one BLAS sgemm per call) in GFLOP/s, counting 2n³ flops, and as
 * a percentage of the machine's fp32 peak (STACK.md: ~384 on 2 vCPUs), so training speed can be read
 * against what the BLAS reaches. Sampled entries of C are checked against a float64 dot product,
 * because a wrong OPENBLAS_CORETYPE makes OpenBLAS 0.3.19 fast and wrong.
 */
public final class Nd4jSgemmBenchmark implements Benchmark {

  static final String SIZES = "sizes";
  private static final int CHECKED_ENTRIES = 16;

  @Override
  public String name() {
    return "nd4j-sgemm";
  }

  @Override
  public String description() {
    return "ND4J float32 matmul C = A·B (BLAS sgemm) in GFLOP/s and % of --peak-gflops, result spot-checked";
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(new Parameter(SIZES, "512,1024,2048", "square matrix sizes n (2n³ flops per multiply)"));
  }

  @Override
  public Optional<String> skipReason(BenchContext context) {
    context.positiveInts(SIZES);
    return Optional.empty();
  }

  @Override
  public List<Measurement> run(BenchContext context) {
    List<Measurement> out = new ArrayList<>();
    for (int n : context.positiveInts(SIZES)) {
      Nd4j.getRandom().setSeed(context.seed() + n);
      try (INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
          INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
          INDArray c = Nd4j.createUninitialized(DataType.FLOAT, n, n)) {
        BenchContext.Timing t = context.time(i -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0));
        check(a, b, c, n, context.seed());
        double flops = 2.0 * n * n * (double) n;
        double gflops = flops * t.iterations() / t.seconds() / 1e9;
        String detail = String.format(Locale.ROOT, "n=%d, float32, %d multiplies in %.2f s, %d entries checked",
            n, t.iterations(), t.seconds(), CHECKED_ENTRIES);
        out.add(new Measurement("n=" + n, gflops, "GFLOP/s", detail));
        out.add(new Measurement("n=" + n + " of peak", 100 * gflops / context.peakGflops(), "%",
            "of " + Tables.number(context.peakGflops()) + " GFLOP/s (--peak-gflops)"));
      }
    }
    return out;
  }

  /**
   * Compares sampled C[i][j] with a float64 dot product; the bound is the classic γ_n Σ|a||b| (n unit
   * roundoffs of float32), doubled: any real miscomputation is orders of magnitude beyond it.
   */
  static void check(INDArray a, INDArray b, INDArray c, int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed ^ n);
    double unitRoundoff = Math.ulp(1.0f) / 2;
    for (int k = 0; k < CHECKED_ENTRIES; k++) {
      int i = random.nextInt(n);
      int j = random.nextInt(n);
      float[] row = a.getRow(i).toFloatVector();
      float[] column = b.getColumn(j).toFloatVector();
      double exact = 0;
      double magnitude = 0;
      for (int p = 0; p < n; p++) {
        exact += (double) row[p] * column[p];
        magnitude += Math.abs((double) row[p] * column[p]);
      }
      double got = c.getFloat(i, j);
      double bound = 2 * n * unitRoundoff * magnitude + Float.MIN_NORMAL;
      if (!(Math.abs(got - exact) <= bound)) {
        throw new IllegalStateException(String.format(Locale.ROOT,
            "sgemm n=%d computed C[%d][%d] = %s, expected %s (error bound %.3g): the BLAS is wrong on this machine; "
                + "check OPENBLAS_CORETYPE", n, i, j, got, exact, bound));
      }
    }
  }
}
