package io.sparkgen.model.nn;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Outputs and gradients of a SameDiff graph, as {@code SameDiff.calculateGradientsAndOutputs}, but
 * run by this thread's {@link RecyclingSession} with arrays reused. M2.1 switches the gradient
 * function's cache off on every call,
 * so a step's intermediate arrays are never handed back for reuse: their native memory is freed
 * only when the Java GC collects them, and each step writes to pages the process has not touched
 * (hundreds of thousands of page faults per UNet step). With the cache on, the session hands each
 * array back once its last reader has run, and the next op of that shape reuses it; {@link
 * Result#close()} hands back the returned outputs and gradients too, so that a steady training
 * loop allocates nothing new. Slow backward ops are swapped for faster equivalents ({@link
 * FastGradientOps}).
 *
 * <p>Thread use as SameDiff's own: one session, and so one cache, per graph and thread; close a
 * result on the thread that made it.
 */
public final class Backprop {

  /** SameDiff.GRAD_FN_KEY (protected there): the name of the gradient function. */
  private static final String GRAD_FN = "grad";

  private Backprop() {}

  /**
   * Runs {@code graph} forward and back once: the values of {@code outputs} and the gradients of
   * its loss variables with respect to {@code wrt} (a variable with no path to the loss has no
   * entry, as in SameDiff).
   */
  public static Result run(
      SameDiff graph, Map<String, INDArray> placeholders, Collection<String> outputs, Collection<String> wrt) {
    if (graph.getFunction(GRAD_FN) == null) {
      graph.createGradFunction();
      FastGradientOps.apply(graph.getFunction(GRAD_FN));
    }
    SameDiff gradFn = graph.getFunction(GRAD_FN);
    gradFn.setEnableCache(true);
    gradFn.setListeners(graph.getListeners()); // a graph with listeners runs in SameDiff's session, which calls them
    RecyclingSession session = RecyclingSession.of(gradFn);
    Map<String, INDArray> inputs = castToGraphTypes(gradFn, placeholders);

    List<String> names = new ArrayList<>(outputs);
    Map<String, String> gradientNames = new HashMap<>();
    for (String name : wrt) {
      SDVariable gradient = graph.getVariable(name).getGradient();
      if (gradient != null) {
        gradientNames.put(name, gradient.name());
        names.add(gradient.name());
      }
    }
    Map<String, INDArray> values = session.run(inputs, names);
    Map<String, INDArray> outputValues = new HashMap<>();
    for (String name : outputs) {
      outputValues.put(name, values.get(name));
    }
    Map<String, INDArray> gradients = new HashMap<>();
    gradientNames.forEach((variable, gradient) -> gradients.put(variable, values.get(gradient)));
    Set<INDArray> notOurs = Collections.newSetFromMap(new IdentityHashMap<>());
    notOurs.addAll(inputs.values());
    for (String name : names) {
      if (gradFn.getVariable(name).getVariableType() != VariableType.ARRAY) {
        notOurs.add(values.get(name)); // a variable's or constant's own array
      }
    }
    return new Result(session, notOurs, outputValues, gradients);
  }

  /**
   * {@code placeholders}, each in its variable's data type. M2.1's session casts a mismatched
   * placeholder itself but then gives the caller's array, not its cast, back to the cache at the
   * end of the run, where the next op of that shape would overwrite it.
   */
  static Map<String, INDArray> castToGraphTypes(SameDiff graph, Map<String, INDArray> placeholders) {
    Map<String, INDArray> cast = null;
    for (Map.Entry<String, INDArray> e : placeholders.entrySet()) {
      if (!graph.hasVariable(e.getKey())) {
        continue; // the session names it in its error
      }
      DataType type = graph.getVariable(e.getKey()).dataType();
      if (e.getValue().dataType() != type) {
        if (cast == null) {
          cast = new HashMap<>(placeholders);
        }
        cast.put(e.getKey(), e.getValue().castTo(type));
      }
    }
    return cast == null ? placeholders : cast;
  }

  /** A step's outputs and gradients; {@link #close()} gives their arrays back to the graph's cache. */
  public static final class Result implements AutoCloseable {

    private final RecyclingSession session;
    private final Set<INDArray> notOurs;
    private final Map<String, INDArray> outputs;
    private final Map<String, INDArray> gradients;
    private final long thread = Thread.currentThread().getId();
    private boolean closed;

    private Result(
        RecyclingSession session,
        Set<INDArray> notOurs,
        Map<String, INDArray> outputs,
        Map<String, INDArray> gradients) {
      this.session = session;
      this.notOurs = notOurs;
      this.outputs = Collections.unmodifiableMap(outputs);
      this.gradients = Collections.unmodifiableMap(gradients);
    }

    /** By output name; valid until {@link #close()}. */
    public Map<String, INDArray> outputs() {
      return outputs;
    }

    /** By variable name; valid until {@link #close()}. */
    public Map<String, INDArray> gradients() {
      return gradients;
    }

    /**
     * Hands the returned arrays back to the session's cache (each once; never a caller's
     * placeholder, a variable's or constant's array, or a view); the maps' arrays must not be used
     * after this.
     */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (Thread.currentThread().getId() != thread) {
        return; // the cache is the other thread's: leave the arrays to the garbage collector
      }
      Set<INDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      seen.addAll(notOurs);
      for (Map<String, INDArray> arrays : List.of(outputs, gradients)) {
        for (INDArray array : arrays.values()) {
          if (array != null && !array.isView() && seen.add(array)) {
            session.memory().release(array);
          }
        }
      }
    }
  }
}
