package io.sparkgen.model.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.BaseReduceOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.RandomOp;
import org.nd4j.linalg.api.ops.ReduceOp;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.impl.shape.CreateView;
import org.nd4j.linalg.api.ops.impl.transforms.any.Assign;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ops that compute some outputs of a graph from its placeholders, variables and constants, in
 * an order fixed once, with the place of each array's last reader. SameDiff's own session works all
 * of that out again on every run, with string-keyed dependency tracking and a copy of the graph's
 * variable map: about 30 µs per op outside the op's kernel, which in the flow's training step (855
 * small ops) was as much time as its convolutions. Here a run is a loop over the ops: gather the
 * input arrays, take output arrays from the session's cache, execute, hand back every array whose
 * last reader has run. Output shapes are worked out again only when an op's input shapes (or the
 * values of its small integer inputs, such as a reshape's target) differ from its last run.
 *
 * <p>Only plain dataflow graphs qualify ({@link #unsupported}): control flow, identity-like ops
 * that pass their input through, and random ops are left to SameDiff's session. A plan belongs to
 * one {@link RecyclingSession}, so to one thread.
 */
final class Plan {

  private static final int SMALL_INTEGER_INPUT = 16;

  private final SameDiff graph;
  private final String[] names;
  private final VariableType[] kinds;
  private final Step[] steps;
  private final Map<String, Integer> outputs;

  private Plan(SameDiff graph, String[] names, VariableType[] kinds, Step[] steps, Map<String, Integer> outputs) {
    this.graph = graph;
    this.names = names;
    this.kinds = kinds;
    this.steps = steps;
    this.outputs = outputs;
  }

  /** Why {@code graph} cannot be run by a plan, naming the first op in the way; null if it can. */
  static String unsupported(SameDiff graph) {
    for (SameDiffOp op : graph.getOps().values()) {
      DifferentialFunction f = op.getOp();
      boolean plain = (f instanceof DynamicCustomOp || f instanceof BaseOp)
          && !(f instanceof Identity || f instanceof Assign || f instanceof CreateView || f instanceof RandomOp);
      if (!plain) {
        return "op '" + op.getName() + "' (" + f.getClass().getSimpleName() + ") is not a plain dataflow op";
      }
      if (notEmpty(op.getControlDeps()) || notEmpty(op.getVarControlDeps())) {
        return "op '" + op.getName() + "' has control dependencies";
      }
    }
    return null;
  }

  private static boolean notEmpty(List<String> list) {
    return list != null && !list.isEmpty();
  }

  /** The plan computing {@code outputs}; the graph must pass {@link #unsupported}. */
  static Plan of(SameDiff graph, List<String> outputs) {
    Map<String, Integer> slots = new LinkedHashMap<>();
    List<SameDiffOp> order = new ArrayList<>();
    Set<String> placed = new HashSet<>();
    for (String output : outputs) {
      visit(graph, output, slots, order, placed, new HashSet<>());
    }
    String[] names = slots.keySet().toArray(new String[0]);
    VariableType[] kinds = new VariableType[names.length];
    for (int i = 0; i < names.length; i++) {
      kinds[i] = graph.getVariable(names[i]).getVariableType();
    }
    Map<String, Integer> outputSlots = new LinkedHashMap<>();
    for (String output : outputs) {
      outputSlots.put(output, slots.get(output));
    }

    int[] lastReader = new int[names.length];
    Arrays.fill(lastReader, -1);
    Step[] steps = new Step[order.size()];
    for (int s = 0; s < steps.length; s++) {
      SameDiffOp op = order.get(s);
      int[] in = op.getInputsToOp() == null ? new int[0] : op.getInputsToOp().stream().mapToInt(slots::get).toArray();
      int[] out = op.getOutputsOfOp().stream().mapToInt(slots::get).toArray();
      for (int slot : in) {
        lastReader[slot] = s;
      }
      DataType[] types = op.getOutputsOfOp().stream().map(n -> graph.getVariable(n).dataType()).toArray(DataType[]::new);
      steps[s] = new Step(op.getOp(), in, out, types);
    }
    // An array goes back to the cache after its last reader, or right away if nothing reads it,
    // unless it is asked for or is not the plan's (placeholders, variables, constants).
    List<List<Integer>> releases = new ArrayList<>();
    for (int s = 0; s < steps.length; s++) {
      releases.add(new ArrayList<>());
    }
    for (int s = 0; s < steps.length; s++) {
      for (int slot : steps[s].out) {
        if (!outputSlots.containsValue(slot)) {
          releases.get(lastReader[slot] >= 0 ? lastReader[slot] : s).add(slot);
        }
      }
    }
    for (int s = 0; s < steps.length; s++) {
      steps[s].release = releases.get(s).stream().mapToInt(Integer::intValue).toArray();
    }
    return new Plan(graph, names, kinds, steps, outputSlots);
  }

  /** Depth-first: the ops computing {@code name}, each after the ops computing its inputs. */
  private static void visit(
      SameDiff graph, String name, Map<String, Integer> slots, List<SameDiffOp> order, Set<String> placed, Set<String> onPath) {
    if (slots.containsKey(name)) {
      return;
    }
    Variable variable = graph.getVariables().get(name);
    if (variable == null) {
      throw new IllegalArgumentException("the graph has no variable '" + name + "'");
    }
    if (variable.getVariable().getVariableType() != VariableType.ARRAY) {
      slots.put(name, slots.size());
      return;
    }
    String opName = variable.getOutputOfOp();
    if (opName == null) {
      throw new IllegalStateException("variable '" + name + "' is computed by no op of the graph");
    }
    if (!onPath.add(opName)) {
      throw new IllegalStateException("the graph has a cycle through op '" + opName + "'");
    }
    SameDiffOp op = graph.getOps().get(opName);
    if (op.getInputsToOp() != null) {
      for (String input : op.getInputsToOp()) {
        visit(graph, input, slots, order, placed, onPath);
      }
    }
    onPath.remove(opName);
    if (placed.add(opName)) {
      for (String output : op.getOutputsOfOp()) {
        slots.putIfAbsent(output, slots.size());
      }
      order.add(op);
    }
  }

  /**
   * The outputs' values, by name, computed from {@code placeholders} (each in its variable's data
   * type); every other computed array goes back to {@code session}'s cache.
   */
  Map<String, INDArray> run(Map<String, INDArray> placeholders, RecyclingSession session) {
    INDArray[] values = new INDArray[names.length];
    for (int i = 0; i < names.length; i++) {
      if (kinds[i] == VariableType.PLACEHOLDER) {
        values[i] = placeholder(names[i], placeholders);
      } else if (kinds[i] != VariableType.ARRAY) {
        values[i] = graph.getArrForVarName(names[i]);
        if (values[i] == null) {
          throw new IllegalStateException(kinds[i].name().toLowerCase() + " '" + names[i] + "' has no array");
        }
      }
    }
    RecyclingSession.ArrayCache memory = session.memory();
    for (Step step : steps) {
      INDArray[] in = new INDArray[step.in.length];
      for (int i = 0; i < in.length; i++) {
        in[i] = values[step.in[i]];
      }
      INDArray[] out = step.execute(in, session);
      for (int i = 0; i < out.length; i++) {
        values[step.out[i]] = out[i];
      }
      for (int slot : step.release) {
        memory.release(values[slot]);
        values[slot] = null;
      }
    }
    Map<String, INDArray> result = new HashMap<>();
    outputs.forEach((name, slot) -> result.put(name, values[slot]));
    return result;
  }

  private INDArray placeholder(String name, Map<String, INDArray> placeholders) {
    INDArray value = placeholders.get(name);
    if (value == null) {
      throw new IllegalArgumentException("no array given for placeholder '" + name + "'");
    }
    SDVariable variable = graph.getVariable(name);
    long[] declared = variable.placeholderShape();
    if (declared != null && !Shape.shapeMatchesPlaceholder(declared, value.shape())) {
      throw new IllegalArgumentException("placeholder '" + name + "' has shape " + Arrays.toString(declared)
          + "; given an array of shape " + Arrays.toString(value.shape()));
    }
    if (value.dataType() != variable.dataType()) {
      throw new IllegalArgumentException("placeholder '" + name + "' is " + variable.dataType()
          + "; given a " + value.dataType() + " array");
    }
    return value;
  }

  /** One op: where its inputs come from, where its outputs go, and its last run's shapes. */
  private static final class Step {

    final DifferentialFunction op;
    final int[] in;
    final int[] out;
    final DataType[] types;
    int[] release;
    private OpContext context;
    private long[] signature;
    private LongShapeDescriptor[] shapes;

    Step(DifferentialFunction op, int[] in, int[] out, DataType[] types) {
      this.op = op;
      this.in = in;
      this.out = out;
      this.types = types;
    }

    INDArray[] execute(INDArray[] args, RecyclingSession session) {
      if (context == null) {
        context = Nd4j.getExecutioner().buildContext();
      }
      OpContext ctx = context;
      if (op instanceof DynamicCustomOp custom) {
        ctx.setArgs(args, custom.iArgs(), custom.dArgs(), custom.tArgs(), custom.bArgs());
        long[] now = signature(args);
        if (!Arrays.equals(now, signature)) {
          shapes = typed(custom.calculateOutputShape(ctx));
          signature = now;
        }
      } else {
        parameterizeLegacy(args, ctx);
      }
      INDArray[] outputs = new INDArray[shapes.length];
      for (int i = 0; i < outputs.length; i++) {
        outputs[i] = session.memory().allocate(false, shapes[i]);
        ctx.setOutputArray(i, outputs[i]);
      }
      if (!session.execSpecial(op, ctx)) {
        if (op instanceof CustomOp custom) {
          Nd4j.exec(custom, ctx);
        } else {
          Nd4j.exec((Op) op, ctx);
        }
      }
      op.clearArrays();
      ctx.purge();
      return outputs;
    }

    /** As SameDiff's session sets up a legacy op: an axis or scalar given as a second input goes into the op. */
    private void parameterizeLegacy(INDArray[] args, OpContext ctx) {
      boolean axisArg = false;
      if (op instanceof ReduceOp reduce && reduce.getOpType() != Op.Type.REDUCE3 && args.length == 2) {
        if (args[1].isEmpty()) {
          throw new IllegalStateException("op '" + op.getOwnName() + "': empty reduction axes are not supported");
        }
        reduce.setDimensions(Shape.normalizeAxis(args[0].rank(), args[1].toIntVector()));
        ((BaseReduceOp) op).setEmptyReduce(false);
        axisArg = true;
      } else if (op instanceof ScalarOp scalar && args.length == 2) {
        if (!args[1].isScalar()) {
          throw new IllegalStateException("op '" + op.getOwnName() + "': scalar argument has shape " + Arrays.toString(args[1].shape()));
        }
        scalar.setScalar(args[1]);
      }
      if (args.length > 0) {
        ctx.setInputArray(0, args[0]);
        if (args.length == 2 && !axisArg) {
          ctx.setInputArray(1, args[1]);
        }
      }
      long[] now = signature(args);
      if (!Arrays.equals(now, signature)) {
        shapes = typed(((BaseOp) op).calculateOutputShape(ctx));
        signature = now;
      }
    }

    /** {@code computed}, each output with its graph variable's data type (as SameDiff's session does). */
    private LongShapeDescriptor[] typed(List<LongShapeDescriptor> computed) {
      LongShapeDescriptor[] shapes = computed == null ? new LongShapeDescriptor[0] : computed.toArray(new LongShapeDescriptor[0]);
      if (shapes.length != types.length) {
        throw new IllegalStateException("op '" + op.getOwnName() + "' (" + op.opName() + ") gave " + shapes.length
            + " output shapes for " + types.length + " outputs");
      }
      for (int i = 0; i < shapes.length; i++) {
        if (shapes[i].dataType() != types[i]) {
          shapes[i] = shapes[i].asDataType(types[i]);
        }
      }
      return shapes;
    }

    /**
     * What output shapes depend on: the inputs' data types, orders, shapes and, for small integer
     * arrays (which may be shapes or axes), values.
     */
    private static long[] signature(INDArray[] args) {
      int length = 0;
      for (INDArray a : args) {
        length += 3 + a.rank() + (smallInteger(a) ? (int) a.length() : 0);
      }
      long[] now = new long[length];
      int k = 0;
      for (INDArray a : args) {
        now[k++] = a.dataType().ordinal();
        now[k++] = a.isEmpty() ? -1 : a.rank();
        now[k++] = a.ordering();
        for (long d : a.shape()) {
          now[k++] = d;
        }
        if (smallInteger(a)) {
          for (long i = 0; i < a.length(); i++) {
            now[k++] = a.getLong(i);
          }
        }
      }
      return now;
    }

    private static boolean smallInteger(INDArray a) {
      return !a.isEmpty() && (a.dataType().isIntType() || a.dataType() == DataType.BOOL) && a.length() <= SMALL_INTEGER_INPUT;
    }
  }
}
