package io.sparkgen.jobs.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the real CLI ({@code io.sparkgen.jobs.Main}) in a child JVM with the test classpath and the
 * JVM flags the tests run with, so that a test can kill it (SIGKILL) or halt it at a failpoint.
 */
public final class ChildJvm {

  private ChildJvm() {}

  /** Starts {@code Main args...} with extra JVM options (e.g. a failpoint), output to {@code log}. */
  public static Process start(Path log, List<String> jvmOptions, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("-XX:+IgnoreUnrecognized") || arg.startsWith("-Djdk.reflect")
          || arg.startsWith("-Dlog4j2")) {
        command.add(arg);
      }
    }
    command.add("-Xmx1g");
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.sparkgen.jobs.Main"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
