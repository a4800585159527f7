package io.sparkgen.jobs.bench;

import io.sparkgen.model.provenance.Versions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The machine a benchmark ran on, so that a figure is never read without its context: CPU, cores,
 * load at the start, memory, OS, JVM, the ND4J backend and its BLAS, the environment variables that steer OpenBLAS,
 * the versions sparkgen was built with, and the git commit. Every field is text; what cannot be
 * found says so rather than failing the run.
 */
public record MachineInfo(
    String date,
    String cpu,
    String cpuFlags,
    String logicalCores,
    String loadAverage,
    String memory,
    String os,
    String jvm,
    String jvmMaxHeap,
    String nd4jBackend,
    String nd4jBuild,
    String blas,
    String blasThreads,
    String ompThreads,
    Map<String, String> environment,
    Map<String, String> versions,
    String gitCommit) {

  /** The environment variables that change BLAS speed or results (see STACK.md "Performance leads"). */
  public static final List<String> ENVIRONMENT = List.of("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS");

  /** SIMD features that decide which ND4J build and BLAS kernels are fastest. */
  static final List<String> SIMD_FLAGS = List.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl",
      "avx512_vnni", "avx512_bf16", "amx_tile");

  public static final String UNSET = "(unset)";

  public MachineInfo {
    environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    versions = Collections.unmodifiableMap(new TreeMap<>(versions));
  }

  /** Probes this machine; initialises ND4J (about a second) unless it already is. */
  public static MachineInfo probe(Clock clock) {
    return probe(clock, System::getenv, Path.of("/"), Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory(), MachineInfo::headCommit, Nd4jInfo::probe);
  }

  /** Probes with each source injectable: {@code root} stands for {@code /} (proc/cpuinfo, etc/os-release). */
  static MachineInfo probe(Clock clock, Function<String, String> env, Path root, int processors, long maxHeap,
      Supplier<String> git, Supplier<Nd4jInfo> nd4j) {
    List<String> cpuinfo = lines(root.resolve("proc/cpuinfo"));
    String model = field(cpuinfo, "model name").orElse(null);
    long listed = cpuinfo.stream().filter(l -> l.startsWith("processor")).count();
    Set<String> flags = new HashSet<>(Arrays.asList(field(cpuinfo, "flags").orElse("").split("\\s+")));
    String simd = SIMD_FLAGS.stream().filter(flags::contains).collect(Collectors.joining(" "));

    String cores = listed == 0 || listed == processors ? String.valueOf(processors)
        : processors + " (of " + listed + " in /proc/cpuinfo)";
    Map<String, String> environment = new LinkedHashMap<>();
    for (String name : ENVIRONMENT) {
      String value = env.apply(name);
      environment.put(name, value == null ? UNSET : value);
    }
    Map<String, String> versions = new TreeMap<>(Versions.all());
    versions.remove("java"); // the jvm row says more
    versions.remove("os");
    versions.put("spark-runtime", sparkRuntime());
    Nd4jInfo nd = nd4j.get();
    return new MachineInfo(
        clock.instant().truncatedTo(ChronoUnit.SECONDS).toString(),
        model == null ? "unknown (no model name in /proc/cpuinfo)" : model,
        cpuinfo.isEmpty() ? "unknown (no /proc/cpuinfo)" : simd.isEmpty() ? "none of " + SIMD_FLAGS : simd,
        cores,
        loadAverage(root),
        memory(root),
        os(root),
        System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
            + System.getProperty("java.runtime.version"),
        gib(maxHeap),
        nd.backend(), nd.build(), nd.blas(), nd.blasThreads(), nd.ompThreads(),
        environment, versions, git.get());
  }

  /** The rows of the Markdown machine table, in order. */
  public Map<String, String> rows() {
    Map<String, String> rows = new LinkedHashMap<>();
    rows.put("date (UTC)", date);
    rows.put("cpu", cpu);
    rows.put("cpu simd", cpuFlags);
    rows.put("logical cores", logicalCores);
    rows.put("load average at start", loadAverage);
    rows.put("memory", memory);
    rows.put("os", os);
    rows.put("jvm", jvm);
    rows.put("jvm max heap", jvmMaxHeap);
    rows.put("nd4j backend", nd4jBackend);
    rows.put("nd4j build", nd4jBuild);
    rows.put("blas", blas);
    rows.put("blas threads", blasThreads);
    rows.put("omp threads", ompThreads);
    ENVIRONMENT.forEach(name -> rows.put(name, environment.get(name)));
    versions.forEach((k, v) -> rows.put("version " + k, v));
    rows.put("git commit", gitCommit);
    return rows;
  }

  /** CSV columns: fixed names (versions in one column), so the header only changes with this code. */
  public static List<String> csvHeader() {
    List<String> header = new ArrayList<>(List.of("cpu", "cpu_simd", "logical_cores", "load_average", "memory", "os", "jvm",
        "jvm_max_heap", "nd4j_backend", "nd4j_build", "blas", "blas_threads", "omp_threads"));
    ENVIRONMENT.forEach(name -> header.add(name.toLowerCase(Locale.ROOT)));
    header.add("versions");
    header.add("git_commit");
    return header;
  }

  public List<String> csvValues() {
    List<String> values = new ArrayList<>(List.of(cpu, cpuFlags, logicalCores, loadAverage, memory, os, jvm, jvmMaxHeap,
        nd4jBackend, nd4jBuild, blas, blasThreads, ompThreads));
    ENVIRONMENT.forEach(name -> values.add(environment.get(name)));
    values.add(versions.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; ")));
    values.add(gitCommit);
    return values;
  }

  private static String memory(Path root) {
    String total = field(lines(root.resolve("proc/meminfo")), "MemTotal")
        .map(v -> gib(Long.parseLong(v.replaceAll("[^0-9]", "")) * 1024)).orElse("unknown (no /proc/meminfo)");
    List<String> limit = lines(root.resolve("sys/fs/cgroup/memory.max"));
    if (!limit.isEmpty() && limit.get(0).trim().matches("[0-9]+")) {
      total += " (cgroup limit " + gib(Long.parseLong(limit.get(0).trim())) + ")";
    }
    return total;
  }

  /** 1, 5 and 15 minute load: other work on the machine is the usual cause of a noisy figure. */
  private static String loadAverage(Path root) {
    List<String> loadavg = lines(root.resolve("proc/loadavg"));
    if (loadavg.isEmpty()) {
      return "unknown (no /proc/loadavg)";
    }
    String[] parts = loadavg.get(0).trim().split("\\s+");
    return parts.length < 3 ? "unknown (/proc/loadavg: " + loadavg.get(0) + ")"
        : parts[0] + " " + parts[1] + " " + parts[2] + " (1, 5, 15 min)";
  }

  private static String os(Path root) {
    String release = field(lines(root.resolve("etc/os-release")), "PRETTY_NAME", '=')
        .map(v -> v.replace("\"", "")).orElse(null);
    String kernel = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch");
    return release == null ? kernel : release + ", " + kernel;
  }

  private static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
  }

  private static String sparkRuntime() {
    try {
      return org.apache.spark.package$.MODULE$.SPARK_VERSION();
    } catch (LinkageError e) {
      return "unavailable (" + e + ")";
    }
  }

  /** {@code git rev-parse HEAD} in the working directory, or why there is none. */
  static String headCommit() {
    try {
      Process git = new ProcessBuilder("git", "rev-parse", "HEAD")
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!git.waitFor(5, TimeUnit.SECONDS)) {
        git.destroy();
        return "unavailable (git rev-parse HEAD timed out)";
      }
      return git.exitValue() == 0 && out.matches("[0-9a-f]{40,64}") ? out
          : "unavailable (not a git checkout: git rev-parse HEAD exited " + git.exitValue() + ")";
    } catch (IOException e) {
      return "unavailable (no git: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unavailable (interrupted)";
    }
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of();
    }
  }

  private static java.util.Optional<String> field(List<String> lines, String name) {
    return field(lines, name, ':');
  }

  /** The value of the first {@code name <sep> value} line. */
  private static java.util.Optional<String> field(List<String> lines, String name, char separator) {
    for (String line : lines) {
      int sep = line.indexOf(separator);
      if (sep > 0 && line.substring(0, sep).trim().equals(name)) {
        return java.util.Optional.of(line.substring(sep + 1).trim());
      }
    }
    return java.util.Optional.empty();
  }

  /** What ND4J says about itself. */
  public record Nd4jInfo(String backend, String build, String blas, String blasThreads, String ompThreads) {

    static Nd4jInfo unavailable(String why) {
      String text = "unavailable (" + why + ")";
      return new Nd4jInfo(text, text, text, text, text);
    }

    /** Loads the ND4J backend if needed; a backend that cannot load is reported, not thrown. */
    static Nd4jInfo probe() {
      try {
        Properties env = org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation();
        org.nd4j.linalg.factory.Nd4jBackend backend = org.nd4j.linalg.factory.Nd4j.getBackend();
        String vendor = String.valueOf(env.getOrDefault("blas.vendor", "unknown"));
        String blas = vendor;
        if (vendor.equalsIgnoreCase("openblas")) {
          blas = "OpenBLAS " + openBlasVersion();
        }
        return new Nd4jInfo(
            env.getOrDefault("backend", "?") + " " + backend.getClass().getName() + " on "
                + org.bytedeco.javacpp.Loader.getPlatform(),
            backend.buildInfo().trim().replaceAll("\\s*\\n\\s*", "; "),
            blas,
            String.valueOf(env.getOrDefault("blas.threads", "?")),
            String.valueOf(env.getOrDefault("omp.threads", "?")));
      } catch (RuntimeException | LinkageError e) {
        return unavailable("ND4J did not load: " + e);
      }
    }

    /** The version of the bytedeco OpenBLAS jar ND4J loaded its library from. */
    private static String openBlasVersion() {
      try {
        String version = org.bytedeco.javacpp.Loader.getVersion("org.bytedeco", "openblas");
        return version == null ? "(version unknown)" : version + " (bytedeco)";
      } catch (IOException e) {
        return "(version unknown: " + e.getMessage() + ")";
      }
    }
  }
}
