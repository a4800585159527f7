package io.sparkgen.model.nn;

import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.config.ExecutionResult;
import org.nd4j.autodiff.samediff.config.SDValue;
import org.nd4j.autodiff.samediff.internal.AbstractSession.VarId;
import org.nd4j.autodiff.samediff.internal.FrameIter;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.SessionMemMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2DDerivative;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A SameDiff inference session whose array cache can be left on. M2.1's own cache ({@code
 * ArrayCacheMemoryMgr}) and session know arrays by {@code INDArray.getId()}, and a reused array's
 * new id ({@code assignNewId}: counter + 1) is the id that the next new array also gets, so two live
 * arrays can share an id and the cache fails with "Array was released multiple times" (seen when
 * the UNet's gradients were given back); and the session keeps the id of every array it ever gave back, a set
 * that grows by thousands of entries per training step. Here the cache knows arrays by identity
 * ({@link ArrayCache}), and the given-back ids are forgotten at the start of each run.
 *
 * <p>Every graph run of the model library goes through one ({@link Backprop} for training steps,
 * {@link Forward} for forward passes), by a {@link Plan} (ops in a fixed order) where the graph
 * allows, else by SameDiff's session machinery; either way it runs float convolutions through
 * oneDNN's direct kernels ({@link OneDnnConv}), tanh through oneDNN ({@link OneDnnTanh}) and computes
 * GroupNorm ({@link GroupNorm}) and ActNorm ({@link ChannelAffine}). One session per graph and
 * thread, as SameDiff's own.
 */
final class RecyclingSession extends InferenceSession {

  private final ArrayCache memory;
  private final WeakReference<Thread> owner = new WeakReference<>(Thread.currentThread());
  private final Map<List<String>, Plan> plans = new HashMap<>();
  /** Why the graph cannot run by plans ("" if it can); null until first asked. */
  private String unsupported;

  private RecyclingSession(SameDiff graph) {
    super(graph);
    this.memory = new ArrayCache((long) (0.25 * Pointer.maxBytes()));
    setMmgr(memory);
  }

  /**
   * This thread's session of {@code graph}, installed in place of SameDiff's default one. Making a
   * new one first drops the sessions of threads that have ended, freeing their caches: a model
   * kept on a Spark executor is stepped by whichever task thread runs, and SameDiff would keep each
   * thread's session for ever.
   */
  static RecyclingSession of(SameDiff graph) {
    long thread = Thread.currentThread().getId();
    InferenceSession current = graph.getSessions().get(thread);
    if (current instanceof RecyclingSession recycling) {
      return recycling;
    }
    graph.getSessions().values().removeIf(s -> s instanceof RecyclingSession r && r.ownerEnded());
    RecyclingSession session = new RecyclingSession(graph);
    graph.getSessions().put(thread, session);
    return session;
  }

  /** Whether the thread that made this session has ended; if so, its cached arrays are freed. */
  private boolean ownerEnded() {
    Thread thread = owner.get();
    if (thread != null && thread.isAlive()) {
      return false;
    }
    memory.close();
    return true;
  }

  /** How many given-back array ids the session remembers now (this run's only). */
  int rememberedFreedIds() {
    return freedArrays.size();
  }

  /** Where arrays go back to be reused; only from this session's thread. */
  ArrayCache memory() {
    return memory;
  }

  @Override
  public ExecutionResult output(
      List<String> variables,
      Map<String, INDArray> placeholderValues,
      Map<String, SDValue> otherPlaceHolderValues,
      MultiDataSet batch,
      Collection<String> requiredActivations,
      List<Listener> listeners,
      At at) {
    freedArrays.clear();
    return super.output(variables, placeholderValues, otherPlaceHolderValues, batch, requiredActivations, listeners, at);
  }

  /**
   * The values of {@code outputs}, by name, from {@code placeholders} (each in its variable's data
   * type): by this graph's {@link Plan} for them, or by SameDiff's session if the graph has ops a
   * plan does not run or has listeners (which only SameDiff's session calls). Every other array the
   * run computes goes back to the cache.
   */
  Map<String, INDArray> run(Map<String, INDArray> placeholders, List<String> outputs) {
    if (unsupported == null) {
      unsupported = Optional.ofNullable(Plan.unsupported(sameDiff)).orElse("");
    }
    if (!unsupported.isEmpty() || (sameDiff.getListeners() != null && !sameDiff.getListeners().isEmpty())) {
      return sameDiff.output(placeholders, outputs);
    }
    freedArrays.clear();
    return plans.computeIfAbsent(List.copyOf(outputs), o -> Plan.of(sameDiff, o)).run(placeholders, this);
  }

  /** As SameDiff's, but with this session's own ops ({@link #execSpecial}) where they apply. */
  @Override
  public ExecutionResult doExec(
      DifferentialFunction op,
      OpContext context,
      FrameIter outputFrameIter,
      Set<VarId> opInputs,
      Set<VarId> allIterInputs,
      Set<String> constAndPhInputs,
      Map<String, SDValue> otherPlaceHolders) {
    if (execSpecial(op, context)) {
      return ExecutionResult.createFrom(op, context);
    }
    return super.doExec(op, context, outputFrameIter, opInputs, allIterInputs, constAndPhInputs, otherPlaceHolders);
  }

  /**
   * Executes {@code op} on {@code context}'s arrays if it is one this session runs its own way: a
   * convolution, forward or backward, through oneDNN ({@link OneDnnConv}), ActNorm ({@link
   * ChannelAffine}), GroupNorm ({@link GroupNorm}), tanh through oneDNN ({@link OneDnnTanh});
   * false, doing nothing, for any other.
   */
  boolean execSpecial(DifferentialFunction op, OpContext context) {
    if (context == null) {
      return false;
    }
    if (op instanceof Conv2DDerivative conv) {
      return OneDnnConv.backward(conv.iArgs(), context.getInputArrays(), context.getOutputArrays());
    }
    if (op instanceof Conv2D conv) {
      return OneDnnConv.forward(conv.iArgs(), context.getInputArrays(), context.getOutputArrays());
    }
    if (ChannelAffine.is(op)) {
      ChannelAffine.run(op, context);
      return true;
    }
    GroupNorm.Spec groupNorm = GroupNorm.spec(op);
    if (groupNorm != null) {
      GroupNorm.run(op, context, groupNorm, memory);
      return true;
    }
    if (OneDnnTanh.replaces(op, context)) {
      OneDnnTanh.run(context);
      return true;
    }
    return false;
  }

  /**
   * Arrays given back, by data type, order and shape, for the next allocation of exactly that kind;
   * the oldest are freed when more than {@code maxBytes} are held.
   */
  final class ArrayCache implements SessionMemMgr {

    private final long maxBytes;
    private final Map<Key, ArrayDeque<INDArray>> free = new HashMap<>();
    /** Every held array with its key (INDArray's own equals compares contents, hence identity). */
    private final Map<INDArray, Key> held = new IdentityHashMap<>();
    /**
     * Held arrays in the order they were given back; eviction skips entries of arrays taken since,
     * and an array given back again goes at its earlier entry.
     */
    private final ArrayDeque<INDArray> age = new ArrayDeque<>();
    private long heldBytes;

    ArrayCache(long maxBytes) {
      this.maxBytes = maxBytes;
    }

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
      return take(dataType, 'c', shape);
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
      if (descriptor.isEmpty()) {
        return Nd4j.create(descriptor);
      }
      return take(descriptor.dataType(), descriptor.getOrder(), descriptor.getShape());
    }

    @Override
    public INDArray ulike(INDArray array) {
      return take(array.dataType(), 'c', array.shape());
    }

    @Override
    public INDArray dup(INDArray array) {
      INDArray copy = ulike(array);
      if (!array.isEmpty()) {
        copy.assign(array);
      }
      return copy;
    }

    private INDArray take(DataType dataType, char order, long[] shape) {
      ArrayDeque<INDArray> arrays = free.get(new Key(dataType, order, shape));
      INDArray array = arrays == null ? null : arrays.pollLast();
      if (array == null) {
        return Nd4j.createUninitializedDetached(dataType, order, shape);
      }
      held.remove(array);
      heldBytes -= bytes(array);
      freedArrays.remove(array.getId()); // its id names a live array again
      return array;
    }

    /**
     * Keeps {@code array} for reuse. A view, or an array whose buffer another array shares, is left
     * to the garbage collector: reusing it would overwrite what the other still reads.
     */
    @Override
    public void release(INDArray array) {
      if (array == null || array.isEmpty() || array.isView() || !array.closeable() || held.containsKey(array)) {
        return;
      }
      if (Nd4j.getExecutioner().useCount(array.data()) > 1) {
        return;
      }
      long bytes = bytes(array);
      if (bytes > maxBytes) {
        array.close();
        return;
      }
      while (heldBytes + bytes > maxBytes && !age.isEmpty()) {
        INDArray oldest = age.pollFirst();
        Key key = held.remove(oldest);
        if (key != null) {
          free.get(key).removeFirstOccurrence(oldest);
          heldBytes -= bytes(oldest);
          oldest.close();
        }
      }
      Key key = new Key(array.dataType(), array.ordering(), array.shape().clone());
      free.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(array);
      held.put(array, key);
      heldBytes += bytes;
      age.addLast(array);
      if (age.size() > 2 * held.size() + 1024) {
        compactAge();
      }
    }

    /** Keeps in {@link #age} only each held array's latest release. */
    private void compactAge() {
      Map<INDArray, Boolean> seen = new IdentityHashMap<>();
      ArrayDeque<INDArray> latest = new ArrayDeque<>();
      for (Iterator<INDArray> it = age.descendingIterator(); it.hasNext(); ) {
        INDArray array = it.next();
        if (held.containsKey(array) && seen.put(array, Boolean.TRUE) == null) {
          latest.addFirst(array);
        }
      }
      age.clear();
      age.addAll(latest);
    }

    @Override
    public void close() {
      held.keySet().forEach(INDArray::close);
      held.clear();
      free.clear();
      age.clear();
      heldBytes = 0;
    }

    /** An allocation's data type, order and shape; hashed once (a lookup per op and array). */
    private static final class Key {
      private final DataType dataType;
      private final char order;
      private final long[] shape;
      private final int hash;

      Key(DataType dataType, char order, long[] shape) {
        this.dataType = dataType;
        this.order = order;
        this.shape = shape;
        this.hash = (31 * dataType.hashCode() + order) * 31 + Arrays.hashCode(shape);
      }

      @Override
      public boolean equals(Object other) {
        return other instanceof Key k && k.hash == hash && k.dataType == dataType && k.order == order && Arrays.equals(k.shape, shape);
      }

      @Override
      public int hashCode() {
        return hash;
      }
    }

    private static long bytes(INDArray array) {
      return array.data().length() * array.dataType().width();
    }
  }
}
