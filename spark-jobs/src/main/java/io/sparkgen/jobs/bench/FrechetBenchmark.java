package io.sparkgen.jobs.bench;

import io.sparkgen.jobs.image.NpyWriter;
import io.sparkgen.model.metrics.FrechetDistance;
import io.sparkgen.model.random.Rng;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * sparkgen's FrechetDistance (Cholesky factor and one symmetric eigendecomposition, float64) against
 * pytorch-fid's calculate_frechet_distance (scipy.linalg.sqrtm of sigma1 sigma2) on the same random
 * covariances of dimension d (2048: Inception's pool3): seconds per distance of each, the speedup
 * and the difference of the two values. SciPy runs as a python3 subprocess; without python3, numpy
 * and scipy only sparkgen's time is reported, with the reason in its detail.
 */
public final class FrechetBenchmark implements Benchmark {

  static final String DIMENSION = "dimension";
  static final String PYTHON = "python";
  private static final long PYTHON_TIMEOUT_MINUTES = 30;

  /** pytorch-fid's formula as published (fid_score.calculate_frechet_distance), timed without the file loads. */
  static final String SCRIPT = """
      import sys, time
      import numpy as np
      from scipy import linalg
      d = sys.argv[1]
      mu1, sigma1, mu2, sigma2 = (np.load(d + '/' + n + '.npy') for n in ('mu1', 'sigma1', 'mu2', 'sigma2'))
      start = time.perf_counter()
      diff = mu1 - mu2
      covmean = linalg.sqrtm(sigma1.dot(sigma2))
      if not np.isfinite(covmean).all():
          offset = np.eye(sigma1.shape[0]) * 1e-6
          covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
      if np.iscomplexobj(covmean):
          covmean = covmean.real
      fid = diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean)
      print(repr(time.perf_counter() - start), repr(float(fid)))
      """;

  @Override
  public String name() {
    return "frechet";
  }

  @Override
  public String description() {
    return "Frechet distance of two d x d covariances: sparkgen vs pytorch-fid's scipy.linalg.sqrtm formula, "
        + "seconds, speedup and |difference|";
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(new Parameter(DIMENSION, "2048", "feature dimension d (Inception pool3: 2048)"),
        new Parameter(PYTHON, "python3", "Python with numpy and scipy for the reference column"));
  }

  @Override
  public Optional<String> skipReason(BenchContext context) {
    if (context.positiveInts(DIMENSION).size() != 1) {
      throw new IllegalArgumentException(context.option(DIMENSION) + ": give one dimension");
    }
    return Optional.empty();
  }

  @Override
  public List<Measurement> run(BenchContext context) throws IOException, InterruptedException {
    int d = context.positiveInts(DIMENSION).get(0);
    Rng rng = new Rng(context.seed() + d);
    double[] mu1 = rng.gaussian(DataType.DOUBLE, d).toDoubleVector();
    double[] mu2 = rng.gaussian(DataType.DOUBLE, d).toDoubleVector();
    double[] sigma1 = covariance(rng, d);
    double[] sigma2 = covariance(rng, d);
    double[] value = new double[1];
    BenchContext.Timing t = context.time(i -> value[0] = FrechetDistance.of(mu1, sigma1, mu2, sigma2, d).value());
    double ours = t.seconds() / t.iterations();
    List<Measurement> out = new ArrayList<>();
    String workload = String.format(Locale.ROOT, "d=%d, covariances W W^T / 2d + 0.01 I (W: d x 2d standard normal)", d);
    double[] scipy;
    String reason;
    try {
      scipy = scipy(context, mu1, sigma1, mu2, sigma2, d);
      reason = null;
    } catch (IOException | IllegalStateException e) {
      scipy = null;
      reason = e.getMessage();
    }
    out.add(new Measurement("sparkgen d=" + d, ours, "s", String.format(Locale.ROOT, "%s; %d distances in %.2f s%s",
        workload, t.iterations(), t.seconds(), reason == null ? "" : "; scipy column skipped: " + reason)));
    if (scipy != null) {
      out.add(new Measurement("scipy d=" + d, scipy[0], "s", workload + "; one distance, pytorch-fid's formula"));
      out.add(new Measurement("speedup d=" + d, scipy[0] / ours, "x", "scipy seconds / sparkgen seconds"));
      out.add(new Measurement("|difference| d=" + d, Math.abs(scipy[1] - value[0]), "abs",
          String.format(Locale.ROOT, "sparkgen %.10g, scipy %.10g (relative %.2g)", value[0], scipy[1],
              Math.abs(scipy[1] - value[0]) / Math.abs(scipy[1]))));
    }
    return out;
  }

  /** W W^T / 2d + 0.01 I with W [d, 2d] standard normal, row-major. */
  static double[] covariance(Rng rng, int d) {
    INDArray w = rng.gaussian(DataType.DOUBLE, d, 2 * d);
    INDArray s = w.mmul(w.transpose()).divi(2.0 * d);
    for (int i = 0; i < d; i++) {
      s.putScalar(i, i, s.getDouble(i, i) + 0.01);
    }
    return s.dup('c').data().asDouble();
  }

  /** {seconds, value} from SciPy, or an exception whose message says why not. */
  private static double[] scipy(BenchContext context, double[] mu1, double[] sigma1, double[] mu2, double[] sigma2,
      int d) throws IOException, InterruptedException {
    Path dir = context.scratch();
    write(dir.resolve("mu1.npy"), mu1, d);
    write(dir.resolve("sigma1.npy"), sigma1, d, d);
    write(dir.resolve("mu2.npy"), mu2, d);
    write(dir.resolve("sigma2.npy"), sigma2, d, d);
    Path script = dir.resolve("fid.py");
    Files.writeString(script, SCRIPT);
    Process p;
    try {
      p = new ProcessBuilder(context.param(PYTHON), script.toString(), dir.toString()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException("cannot start " + context.option(PYTHON) + " (" + e.getMessage() + ")", e);
    }
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(PYTHON_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(context.option(PYTHON) + " took over " + PYTHON_TIMEOUT_MINUTES + " minutes");
    }
    String[] last = output.isEmpty() ? new String[0] : output.lines().reduce((a, b) -> b).orElse("").split(" ");
    if (p.exitValue() != 0 || last.length != 2) {
      String tail = output.lines().reduce((a, b) -> b).orElse("no output");
      throw new IllegalStateException(context.option(PYTHON) + " failed (exit " + p.exitValue() + "): " + tail);
    }
    return new double[] {Double.parseDouble(last[0]), Double.parseDouble(last[1])};
  }

  private static void write(Path file, double[] values, long... shape) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      NpyWriter.header(out, "<f8", shape);
      ByteBuffer buf = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      buf.asDoubleBuffer().put(values);
      out.write(buf.array());
    }
  }
}
