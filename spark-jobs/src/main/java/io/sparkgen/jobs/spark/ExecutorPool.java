package io.sparkgen.jobs.spark;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Objects that are expensive to build (a model from a checkpoint, a feature extractor) kept per
 * executor JVM and reused by later tasks, one instance per concurrently running task because ND4J
 * graphs are not thread-safe (djl's per-executor loader). The least recently used keys are dropped
 * beyond {@link #MAX_KEYS}, so evaluating many checkpoints does not hold them all.
 */
public final class ExecutorPool {

  static final int MAX_KEYS = 4;

  private static final Map<String, Deque<Object>> IDLE = new LinkedHashMap<>(16, 0.75f, true);

  private ExecutorPool() {}

  /** Runs {@code work} with an instance for {@code key}: an idle one if there is, else a new one from {@code build}. */
  public static <T, R> R with(String key, Supplier<T> build, Function<T, R> work) {
    T instance = borrow(key, build);
    R result = work.apply(instance);
    release(key, instance); // not in a finally: an instance whose work failed may be broken
    return result;
  }

  @SuppressWarnings("unchecked")
  private static <T> T borrow(String key, Supplier<T> build) {
    synchronized (IDLE) {
      Deque<Object> idle = IDLE.get(key);
      if (idle != null && !idle.isEmpty()) {
        return (T) idle.pop();
      }
    }
    return build.get();
  }

  private static void release(String key, Object instance) {
    synchronized (IDLE) {
      IDLE.computeIfAbsent(key, k -> new ArrayDeque<>()).push(instance);
      for (Iterator<String> keys = IDLE.keySet().iterator(); IDLE.size() > MAX_KEYS && keys.hasNext(); ) {
        keys.next();
        keys.remove();
      }
    }
  }

  /** Idle instances held for {@code key} (for tests). */
  static int idle(String key) {
    synchronized (IDLE) {
      Deque<Object> idle = IDLE.get(key);
      return idle == null ? 0 : idle.size();
    }
  }
}
