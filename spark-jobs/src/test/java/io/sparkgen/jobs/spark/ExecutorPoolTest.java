package io.sparkgen.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ExecutorPoolTest {

  @Test
  void reusesAnIdleInstanceAndBuildsAnotherForConcurrentWork() {
    AtomicInteger built = new AtomicInteger();
    String key = "test:reuse";
    Object first = ExecutorPool.with(key, () -> new int[] {built.incrementAndGet()}, x -> x);
    Object again = ExecutorPool.with(key, () -> new int[] {built.incrementAndGet()}, x -> x);
    assertSame(first, again);
    Object[] nested = ExecutorPool.with(key, () -> new int[] {built.incrementAndGet()},
        outer -> new Object[] {outer, ExecutorPool.with(key, () -> new int[] {built.incrementAndGet()}, inner -> inner)});
    assertNotSame(nested[0], nested[1], "work running at the same time never shares an instance");
    assertEquals(2, built.get());
    assertEquals(2, ExecutorPool.idle(key));
  }

  @Test
  void keepsOnlyTheMostRecentlyUsedKeys() {
    for (int i = 0; i <= ExecutorPool.MAX_KEYS; i++) {
      ExecutorPool.with("test:lru-" + i, Object::new, x -> x);
    }
    assertEquals(0, ExecutorPool.idle("test:lru-0"), "the oldest key was dropped");
    assertEquals(1, ExecutorPool.idle("test:lru-" + ExecutorPool.MAX_KEYS));
  }
}
