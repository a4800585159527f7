package io.sparkgen.model.nn;

import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.random.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Builds one SameDiff graph on arrays owned by a network. A parameter already in the store is
 * reused by reference (SameDiff keeps the array it is given), so several graphs — training,
 * inference, a GAN's two players — share weights and see every in-place optimizer update. A new
 * parameter is initialised from its own seed, {@link Seeds#forParameter}, so initialisation does
 * not depend on the order graphs are built in.
 */
public final class GraphBuilder {

  private final SameDiff sd = SameDiff.create();
  private final NamedArrays parameters;
  private final NamedArrays buffers;
  private final long initSeed;
  private final DataType type;
  private final List<String> parameterNames = new ArrayList<>();
  private final Map<String, SDVariable> variables = new HashMap<>();

  public GraphBuilder(NamedArrays parameters, NamedArrays buffers, long initSeed, DataType type) {
    this.parameters = parameters;
    this.buffers = buffers;
    this.initSeed = initSeed;
    this.type = type;
  }

  public SameDiff sd() {
    return sd;
  }

  public DataType type() {
    return type;
  }

  /** Names of the parameters this graph uses, in creation order. */
  public List<String> parameterNames() {
    return List.copyOf(parameterNames);
  }

  /**
   * A trainable parameter: reused from the store, or created there with {@code init}. Asking
   * twice in one graph (a layer applied twice) gives the same variable.
   */
  public SDVariable param(String name, Init init, long... shape) {
    return scaledParam(name, init, 1.0, shape);
  }

  /**
   * {@link #param} whose new value is {@code init}'s times {@code scale}, e.g. an equalised-learning-rate
   * weight stored as N(0, 1 / lrmul^2) (Karras et al. 2019, App. C).
   */
  public SDVariable scaledParam(String name, Init init, double scale, long... shape) {
    SDVariable existing = variables.get(name);
    if (existing != null) {
      if (!Arrays.equals(existing.getShape(), shape)) {
        throw new IllegalStateException(name + ": used with shapes " + Arrays.toString(existing.getShape()) + " and " + Arrays.toString(shape));
      }
      return existing;
    }
    INDArray array;
    if (parameters.contains(name)) {
      array = parameters.get(name);
      if (!Arrays.equals(array.shape(), shape)) {
        throw new IllegalStateException(
            name + ": stored shape " + Arrays.toString(array.shape()) + " but graph asks " + Arrays.toString(shape));
      }
    } else {
      // A view would be copied by SameDiff and then miss in-place updates: store a plain array.
      array = init.create(new Rng(Seeds.forParameter(initSeed, name)), type, shape).mul(scale).dup('c');
      parameters.put(name, array);
    }
    parameterNames.add(name);
    SDVariable v = sd.var(name, array);
    if (sd.getArrForVarName(name) != array) {
      throw new IllegalStateException(name + ": SameDiff copied the array; in-place updates would not reach the graph");
    }
    variables.put(name, v);
    return v;
  }

  /** A non-trainable state array (e.g. running statistics), created with a constant value. */
  public SDVariable buffer(String name, double initial, long... shape) {
    return variables.computeIfAbsent(
        name,
        n -> {
          INDArray array = ensureBuffer(n, initial, shape);
          SDVariable v = sd.var(n, array);
          if (sd.getArrForVarName(n) != array) {
            throw new IllegalStateException(n + ": SameDiff copied the buffer; updates would not reach the graph");
          }
          return v;
        });
  }

  /** The stored buffer, created with a constant value if absent; not put in the graph. */
  public INDArray ensureBuffer(String name, double initial, long... shape) {
    if (!buffers.contains(name)) {
      buffers.put(name, org.nd4j.linalg.factory.Nd4j.valueArrayOf(shape, initial, type));
    }
    return buffers.get(name);
  }

  public SDVariable placeholder(String name, long... shape) {
    return sd.placeHolder(name, type, shape);
  }
}
