package io.sparkgen.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NativeMemoryReclaimerTest {

  private static final long MS = 1_000_000L;

  @Test
  void collectsAtMostOncePerIntervalAndStretchesItToTwentyTimesTheLastCollection() {
    AtomicLong clock = new AtomicLong(0);
    AtomicInteger collections = new AtomicInteger();
    long[] gcMillis = {10};
    NativeMemoryReclaimer r = new NativeMemoryReclaimer(
        clock::get, () -> { collections.incrementAndGet(); clock.addAndGet(gcMillis[0] * MS); }, 1000);
    clock.set(999 * MS);
    assertFalse(r.afterStep());
    clock.set(1000 * MS);
    assertTrue(r.afterStep()); // took 10 ms, ended at 1010: the next one 1000 ms later (20 x 10 ms is less)
    clock.set(2009 * MS);
    assertFalse(r.afterStep());
    gcMillis[0] = 100;
    clock.set(2010 * MS);
    assertTrue(r.afterStep()); // took 100 ms, ended at 2110: the next one no sooner than 20 x 100 ms later
    clock.set(4109 * MS);
    assertFalse(r.afterStep());
    clock.set(4110 * MS);
    assertTrue(r.afterStep());
    assertEquals(3, collections.get());
  }

  @Test
  void aNegativeIntervalNeverCollects() {
    AtomicInteger collections = new AtomicInteger();
    AtomicLong clock = new AtomicLong(0);
    NativeMemoryReclaimer r = new NativeMemoryReclaimer(clock::get, collections::incrementAndGet, -1);
    clock.set(Long.MAX_VALUE / 2);
    assertFalse(r.afterStep());
    assertEquals(0, collections.get());
  }

  @Test
  void aBadPropertyValueIsRefusedNamingIt() {
    String old = System.getProperty(NativeMemoryReclaimer.INTERVAL_PROPERTY);
    System.setProperty(NativeMemoryReclaimer.INTERVAL_PROPERTY, "soon");
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, NativeMemoryReclaimer::fromSystemProperty);
      assertTrue(e.getMessage().contains("sparkgen.train.gc-interval-ms=soon"), e.getMessage());
    } finally {
      if (old == null) {
        System.clearProperty(NativeMemoryReclaimer.INTERVAL_PROPERTY);
      } else {
        System.setProperty(NativeMemoryReclaimer.INTERVAL_PROPERTY, old);
      }
    }
  }
}
