package io.sparkgen.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The result check that guards the GFLOP/s figure: it passes BLAS output and catches one wrong entry. */
class Nd4jSgemmBenchmarkTest {

  @Test
  void checkAcceptsTheBlasResultAndRejectsACorruptedOne() {
    int n = 200;
    Nd4j.getRandom().setSeed(1);
    INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray c = Nd4j.createUninitialized(DataType.FLOAT, n, n);
    Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
    assertDoesNotThrow(() -> Nd4jSgemmBenchmark.check(a, b, c, n, 5));

    // Corrupt every entry slightly beyond rounding (1e-3 relative): the sampled check must see it.
    INDArray wrong = c.mul(1.001f);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Nd4jSgemmBenchmark.check(a, b, wrong, n, 5));
    assertTrue(e.getMessage().startsWith("sgemm n=200 computed C["), e.getMessage());
    assertTrue(e.getMessage().contains("check OPENBLAS_CORETYPE"), e.getMessage());
  }
}
