package io.sparkgen.model.nn;

import io.sparkgen.model.random.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Initialisers, matching the Keras defaults the reference architectures were published with. */
public enum Init {
  /**
   * U(-l, l), l = sqrt(6 / (fan_in + fan_out)) (Glorot &amp; Bengio 2010). Kernels are [.., in,
   * out] (dense [in, out]; conv [kH, kW, in, out]; transposed conv [kH, kW, out, in] as Keras, whose
   * fans it therefore shares).
   */
  GLOROT_UNIFORM {
    @Override
    INDArray create(Rng rng, DataType type, long[] shape) {
      long receptive = 1;
      for (int i = 0; i < shape.length - 2; i++) {
        receptive *= shape[i];
      }
      double fanIn = receptive * shape[shape.length - 2];
      double fanOut = receptive * shape[shape.length - 1];
      double limit = Math.sqrt(6.0 / (fanIn + fanOut));
      return rng.uniform(type, -limit, limit, shape);
    }
  },
  /** U(-0.05, 0.05): Keras' Embedding default. */
  UNIFORM_005 {
    @Override
    INDArray create(Rng rng, DataType type, long[] shape) {
      return rng.uniform(type, -0.05, 0.05, shape);
    }
  },
  /** N(0, 1): equalised-learning-rate weights, scaled at run time (Karras et al. 2018, Sec. 4.1). */
  STANDARD_NORMAL {
    @Override
    INDArray create(Rng rng, DataType type, long[] shape) {
      return rng.gaussian(type, shape);
    }
  },
  ZEROS {
    @Override
    INDArray create(Rng rng, DataType type, long[] shape) {
      return Nd4j.zeros(type, shape);
    }
  },
  ONES {
    @Override
    INDArray create(Rng rng, DataType type, long[] shape) {
      return Nd4j.ones(type, shape);
    }
  };

  abstract INDArray create(Rng rng, DataType type, long[] shape);
}
