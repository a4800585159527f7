package io.sparkgen.jobs.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Named crash points for the fault tests. Unset in production, where each call is a property or
 * environment read.
 * <ul>
 *   <li>{@link #hit}: with {@code -Dsparkgen.failpoint=NAME} the JVM halts at that point as if
 *       killed with SIGKILL (no shutdown hooks, no cleanup).
 *   <li>{@link #park}: with {@code SPARKGEN_PARK=NAME:DIR} in the environment (executors get it via
 *       {@code spark.executorEnv}), the first JVM to reach NAME writes its pid to {@code DIR/NAME.pid}
 *       and waits there, so that a test can kill exactly that JVM in the middle of its work.
 * </ul>
 */
public final class Failpoints {

  private static final long PARK_MILLIS = 600_000;

  private Failpoints() {}

  public static void hit(String name) {
    if (name.equals(System.getProperty("sparkgen.failpoint"))) {
      System.err.println("sparkgen: failpoint " + name + " hit, halting");
      Runtime.getRuntime().halt(137);
    }
  }

  public static void park(String name) {
    String spec = System.getenv("SPARKGEN_PARK");
    if (spec == null || !spec.startsWith(name + ":")) {
      return;
    }
    Path dir = Path.of(spec.substring(name.length() + 1));
    try {
      Files.createFile(dir.resolve(name + ".claimed")); // atomic: exactly one JVM parks
      Path tmp = Files.writeString(dir.resolve(name + ".pid.tmp"), Long.toString(ProcessHandle.current().pid()),
          StandardCharsets.UTF_8);
      Files.move(tmp, dir.resolve(name + ".pid"), StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      return;
    } catch (IOException e) {
      throw new IllegalStateException("failpoint " + name + ": cannot write to " + dir, e);
    }
    System.err.println("sparkgen: failpoint " + name + " parked pid " + ProcessHandle.current().pid());
    try {
      Thread.sleep(PARK_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
