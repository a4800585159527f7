package io.sparkgen.model.optim;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An element-wise update of same-shaped arrays (parameters, optimizer state, gradients) computed
 * in Java in one pass over memory, chunk by chunk, instead of one ND4J op per arithmetic step: an
 * Adam update was 13 ops per parameter array, each a native call of ~10 µs whatever the array's
 * size, and for the flow's ~100 small arrays that cost more than the arithmetic many times over
 * (13 ms of a 140 ms step). Large arrays are split over threads; every element is computed the
 * same way wherever it falls, so results do not depend on the thread count.
 */
final class InPlace {

  private static final int CHUNK = 4096;
  private static final long PARALLEL_ABOVE = 1 << 16;

  private InPlace() {}

  /** The update of one chunk: the first {@code n} elements of arrays {@code a[0..k)} (longer ones may follow). */
  interface FloatUpdate {
    void apply(float[][] a, int n);
  }

  /** As {@link FloatUpdate}, for DOUBLE arrays. */
  interface DoubleUpdate {
    void apply(double[][] a, int n);
  }

  /**
   * Applies {@code floats} (FLOAT arrays) or {@code doubles} (any other type, computed in double)
   * to {@code arrays}, writing back the first {@code written} of them; the others are only read.
   * The arrays must have one shape; any layout, view or data type works (an array that is not a
   * plain c-ordered one of the compute type goes through a copy).
   */
  static void apply(INDArray[] arrays, int written, FloatUpdate floats, DoubleUpdate doubles) {
    long length = arrays[0].length();
    for (INDArray a : arrays) {
      if (!a.equalShapes(arrays[0])) {
        throw new IllegalArgumentException("element-wise update of arrays of shapes "
            + java.util.Arrays.toString(arrays[0].shape()) + " and " + java.util.Arrays.toString(a.shape()));
      }
    }
    DataType type = arrays[0].dataType() == DataType.FLOAT ? DataType.FLOAT : DataType.DOUBLE;
    INDArray[] work = new INDArray[arrays.length];
    for (int i = 0; i < arrays.length; i++) {
      work[i] = plain(arrays[i], type) ? arrays[i] : arrays[i].castTo(type).dup('c');
    }
    int chunks = (int) ((length + CHUNK - 1) / CHUNK);
    IntStream range = IntStream.range(0, chunks);
    if (length > PARALLEL_ABOVE) {
      range = range.parallel();
    }
    if (type == DataType.FLOAT) {
      FloatBuffer[] buffers = new FloatBuffer[work.length];
      for (int i = 0; i < work.length; i++) {
        buffers[i] = work[i].data().asNioFloat();
      }
      range.forEach(c -> {
        int from = c * CHUNK;
        int n = (int) Math.min(CHUNK, length - from);
        float[][] a = Scratch.OF_THREAD.get().floats(buffers.length);
        for (int i = 0; i < buffers.length; i++) {
          buffers[i].get(from, a[i], 0, n);
        }
        floats.apply(a, n);
        for (int i = 0; i < written; i++) {
          buffers[i].put(from, a[i], 0, n);
        }
      });
    } else {
      DoubleBuffer[] buffers = new DoubleBuffer[work.length];
      for (int i = 0; i < work.length; i++) {
        buffers[i] = work[i].data().asNioDouble();
      }
      range.forEach(c -> {
        int from = c * CHUNK;
        int n = (int) Math.min(CHUNK, length - from);
        double[][] a = Scratch.OF_THREAD.get().doubles(buffers.length);
        for (int i = 0; i < buffers.length; i++) {
          buffers[i].get(from, a[i], 0, n);
        }
        doubles.apply(a, n);
        for (int i = 0; i < written; i++) {
          buffers[i].put(from, a[i], 0, n);
        }
      });
    }
    for (int i = 0; i < written; i++) {
      if (work[i] != arrays[i]) {
        arrays[i].assign(work[i]);
      }
    }
  }

  /** Each thread's chunk arrays, kept: a large parameter is hundreds of chunks per step. */
  private static final class Scratch {
    static final ThreadLocal<Scratch> OF_THREAD = ThreadLocal.withInitial(Scratch::new);
    private float[][] floats = new float[0][];
    private double[][] doubles = new double[0][];

    float[][] floats(int k) {
      if (floats.length < k) {
        floats = new float[k][CHUNK];
      }
      return floats;
    }

    double[][] doubles(int k) {
      if (doubles.length < k) {
        doubles = new double[k][CHUNK];
      }
      return doubles;
    }
  }

  /** Whether {@code a}'s buffer holds exactly its elements, in c order, as {@code type}. */
  private static boolean plain(INDArray a, DataType type) {
    return a.dataType() == type && !a.isView() && a.ordering() == 'c' && a.offset() == 0 && a.data().length() == a.length();
  }
}
