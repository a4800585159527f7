package io.sparkgen.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The machine description: every field from its source, and the real probe on this machine. */
class MachineInfoTest {

  @TempDir Path root;

  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC);
  private static final MachineInfo.Nd4jInfo ND4J =
      new MachineInfo.Nd4jInfo("CPU backend", "HAVE_OPENBLAS", "OpenBLAS 0.3.19", "2", "2");

  private void write(String path, String text) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  @Test
  void fieldsComeFromProcEtcTheEnvironmentGitAndNd4j() throws IOException {
    write("proc/cpuinfo", "processor\t: 0\nmodel name\t: Test CPU 9000\nflags\t\t: fpu sse4_2 avx avx2 fma avx512f\n\n"
        + "processor\t: 1\nmodel name\t: Test CPU 9000\n");
    write("proc/meminfo", "MemTotal:       16777216 kB\nMemFree:         1 kB\n");
    write("proc/loadavg", "0.52 1.75 2.00 3/512 4242\n");
    write("etc/os-release", "NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
    write("sys/fs/cgroup/memory.max", "8589934592\n");
    Map<String, String> env = Map.of("OPENBLAS_CORETYPE", "Haswell");

    MachineInfo m = MachineInfo.probe(CLOCK, env::get, root, 2, 3L << 30, () -> "abc123", () -> ND4J);

    assertEquals("2026-01-02T03:04:05Z", m.date());
    assertEquals("Test CPU 9000", m.cpu());
    assertEquals("sse4_2 avx avx2 fma avx512f", m.cpuFlags());
    assertEquals("2", m.logicalCores());
    assertEquals("0.52 1.75 2.00 (1, 5, 15 min)", m.loadAverage());
    assertEquals("16.0 GiB (cgroup limit 8.0 GiB)", m.memory());
    assertTrue(m.os().startsWith("Debian GNU/Linux 12 (bookworm), " + System.getProperty("os.name")), m.os());
    assertTrue(m.jvm().contains(System.getProperty("java.runtime.version")), m.jvm());
    assertEquals("3.0 GiB", m.jvmMaxHeap());
    assertEquals("CPU backend", m.nd4jBackend());
    assertEquals("HAVE_OPENBLAS", m.nd4jBuild());
    assertEquals("OpenBLAS 0.3.19", m.blas());
    assertEquals("2", m.blasThreads());
    assertEquals("2", m.ompThreads());
    assertEquals("Haswell", m.environment().get("OPENBLAS_CORETYPE"));
    assertEquals(MachineInfo.UNSET, m.environment().get("OPENBLAS_L2_SIZE"));
    assertEquals(MachineInfo.UNSET, m.environment().get("OMP_NUM_THREADS"));
    assertEquals("abc123", m.gitCommit());
    assertTrue(m.versions().keySet().containsAll(List.of("sparkgen", "dl4j", "nd4j-backend", "spark-build",
        "spark-runtime")), m.versions().toString());
  }

  @Test
  void missingSourcesSaySoAndCoresShowTheContainerLimit() throws IOException {
    write("proc/cpuinfo", "processor : 0\nprocessor : 1\nprocessor : 2\nprocessor : 3\n");
    MachineInfo m = MachineInfo.probe(CLOCK, k -> null, root, 2, 1L << 30, () -> "unavailable (test)", () -> ND4J);
    assertEquals("unknown (no model name in /proc/cpuinfo)", m.cpu());
    assertEquals("2 (of 4 in /proc/cpuinfo)", m.logicalCores());
    assertEquals("unknown (no /proc/meminfo)", m.memory());
    assertEquals("unknown (no /proc/loadavg)", m.loadAverage());
    assertTrue(m.cpuFlags().startsWith("none of"), m.cpuFlags());
    MachineInfo.ENVIRONMENT.forEach(name -> assertEquals(MachineInfo.UNSET, m.environment().get(name)));
  }

  @Test
  void rowsAndCsvColumnsCoverEveryField() {
    MachineInfo m = MachineInfo.probe(CLOCK, k -> null, root, 2, 1L << 30, () -> "abc", () -> ND4J);
    Map<String, String> rows = m.rows();
    List<String> expected = List.of("date (UTC)", "cpu", "cpu simd", "logical cores", "load average at start",
        "memory", "os", "jvm", "jvm max heap", "nd4j backend", "nd4j build", "blas", "blas threads", "omp threads",
        "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS");
    assertEquals(expected, List.copyOf(rows.keySet()).subList(0, expected.size()));
    assertEquals("git commit", List.copyOf(rows.keySet()).get(rows.size() - 1));
    assertTrue(rows.containsKey("version sparkgen"));
    assertEquals(MachineInfo.csvHeader().size(), m.csvValues().size());
    assertEquals(List.of("cpu", "cpu_simd", "logical_cores", "load_average", "memory", "os", "jvm", "jvm_max_heap",
        "nd4j_backend", "nd4j_build", "blas", "blas_threads", "omp_threads", "openblas_coretype", "openblas_l2_size",
        "omp_num_threads", "versions", "git_commit"), MachineInfo.csvHeader());
  }

  @Test
  void realProbeDescribesThisMachine() {
    MachineInfo m = MachineInfo.probe(Clock.systemUTC());
    m.rows().forEach((k, v) -> assertFalse(v == null || v.isBlank(), k + " is blank"));
    assertEquals(String.valueOf(Runtime.getRuntime().availableProcessors()), m.logicalCores().split(" ")[0]);
    assertTrue(m.nd4jBackend().startsWith("CPU"), m.nd4jBackend());
    assertTrue(m.blas().startsWith("OpenBLAS"), m.blas());
    assertTrue(Integer.parseInt(m.blasThreads()) >= 1, m.blasThreads());
    MachineInfo.ENVIRONMENT.forEach(name -> assertEquals(
        System.getenv(name) == null ? MachineInfo.UNSET : System.getenv(name), m.environment().get(name)));
    assertTrue(m.gitCommit().matches("[0-9a-f]{40}") || m.gitCommit().startsWith("unavailable"), m.gitCommit());
  }
}
