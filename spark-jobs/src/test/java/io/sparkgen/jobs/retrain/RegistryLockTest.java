package io.sparkgen.jobs.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryLockTest {

  private static final Duration STALE = Duration.ofMinutes(10);
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  @TempDir Path tmp;

  private FileSystem fs() throws Exception {
    return FileSystem.getLocal(new Configuration());
  }

  private org.apache.hadoop.fs.Path lockFile() {
    return new org.apache.hadoop.fs.Path(tmp.resolve("registry/lock").toString());
  }

  private static Clock at(Instant t) {
    return Clock.fixed(t, ZoneOffset.UTC);
  }

  @Test
  void aSecondRunIsRefusedWhileTheFirstIsAliveAndMayRunAfterIt() throws Exception {
    RegistryLock first = RegistryLock.acquire(fs(), lockFile(), STALE, at(T0));
    RegistryLock.HeldException refused = assertThrows(RegistryLock.HeldException.class,
        () -> RegistryLock.acquire(fs(), lockFile(), STALE, at(T0.plusSeconds(60))));
    assertTrue(refused.getMessage().contains(first.owner()) && refused.getMessage().contains("alive 60 s ago"),
        refused.getMessage());
    first.close();
    RegistryLock.acquire(fs(), lockFile(), STALE, at(T0.plusSeconds(61))).close();
  }

  @Test
  void heartbeatsKeepALongRunAliveAndAStaleLockIsRecoveredOnce() throws Exception {
    RegistryLock longRun = RegistryLock.acquire(fs(), lockFile(), STALE, at(T0));
    // A heartbeat 9 minutes in keeps it alive at 15 minutes.
    RegistryLock beating = longRun.withClock(at(T0.plus(Duration.ofMinutes(9))));
    beating.heartbeat();
    assertThrows(RegistryLock.HeldException.class,
        () -> RegistryLock.acquire(fs(), lockFile(), STALE, at(T0.plus(Duration.ofMinutes(15)))));

    // Silent for more than 10 minutes: crashed. Eight runs recover it at once; exactly one gets it.
    Instant late = T0.plus(Duration.ofMinutes(30));
    int runs = 8;
    CyclicBarrier start = new CyclicBarrier(runs);
    ExecutorService pool = Executors.newFixedThreadPool(runs);
    List<Future<RegistryLock>> results = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      Callable<RegistryLock> run = () -> {
        start.await();
        try {
          return RegistryLock.acquire(fs(), lockFile(), STALE, at(late));
        } catch (RegistryLock.HeldException e) {
          return null;
        }
      };
      results.add(pool.submit(run));
    }
    List<RegistryLock> winners = new ArrayList<>();
    for (Future<RegistryLock> r : results) {
      if (r.get() != null) {
        winners.add(r.get());
      }
    }
    pool.shutdown();
    assertEquals(1, winners.size(), "exactly one run takes over a stale lock");
    RegistryLock.HeldException lost = assertThrows(RegistryLock.HeldException.class, longRun::heartbeat);
    assertTrue(lost.getMessage().startsWith("lost the lock"), lost.getMessage());
    longRun.close(); // does not release the new owner's lock
    assertThrows(RegistryLock.HeldException.class, () -> RegistryLock.acquire(fs(), lockFile(), STALE, at(late)));
    winners.get(0).close();
  }
}
