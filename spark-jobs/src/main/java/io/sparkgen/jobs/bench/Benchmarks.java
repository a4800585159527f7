package io.sparkgen.jobs.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The registry {@code sparkgen bench} runs from: names are unique and checked once here, so that
 * {@code --only} and {@code -P} can name benchmarks and their parameters with clear errors.
 */
public final class Benchmarks {

  // Before DEFAULT: static fields initialise in order, and DEFAULT's constructor checks names with it.
  private static final Pattern KEBAB = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

  /**
   * Every benchmark, in the order {@code sparkgen bench} runs them. A new benchmark is one line here;
   * optional modules on the classpath (bench-dl4j) add theirs through
   * {@code META-INF/services/io.sparkgen.jobs.bench.Benchmark}, after these.
   */
  public static final Benchmarks DEFAULT = new Benchmarks(withServices(List.of(
      new Nd4jSgemmBenchmark(),
      new ImageCodecBenchmark(),
      new ShardFashionMnistBenchmark(),
      new TrainStepBenchmark(),
      new PyTorchTrainStepBenchmark(),
      new TrainScalingBenchmark(),
      new FeatureExtractionBenchmark(),
      new FrechetBenchmark())));

  private final Map<String, Benchmark> byName = new LinkedHashMap<>();

  public Benchmarks(List<? extends Benchmark> benchmarks) {
    for (Benchmark b : benchmarks) {
      if (!isKebabCase(b.name())) {
        throw new IllegalArgumentException("benchmark name '" + b.name() + "' (" + b.getClass().getName()
            + ") must be kebab-case");
      }
      if (b.description() == null || b.description().isBlank() || b.description().contains("\n")) {
        throw new IllegalArgumentException("benchmark " + b.name() + " needs a one-line description");
      }
      Benchmark previous = byName.putIfAbsent(b.name(), b);
      if (previous != null) {
        throw new IllegalArgumentException("benchmark name '" + b.name() + "' is registered twice: "
            + previous.getClass().getName() + " and " + b.getClass().getName());
      }
    }
  }

  private static List<Benchmark> withServices(List<Benchmark> builtIn) {
    List<Benchmark> all = new ArrayList<>(builtIn);
    java.util.ServiceLoader.load(Benchmark.class, Benchmarks.class.getClassLoader()).forEach(all::add);
    return all;
  }

  public List<Benchmark> all() {
    return List.copyOf(byName.values());
  }

  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  /** The benchmarks named by {@code --only}, in the order given; empty selects all. */
  public List<Benchmark> select(List<String> only) {
    if (only == null || only.isEmpty()) {
      return all();
    }
    List<Benchmark> selected = new ArrayList<>();
    for (String raw : only) {
      String name = raw.trim();
      Benchmark b = byName.get(name);
      if (b == null) {
        throw new IllegalArgumentException("--only " + raw + ": no such benchmark; known: " + String.join(", ", names()));
      }
      if (!selected.contains(b)) {
        selected.add(b);
      }
    }
    return selected;
  }

  /**
   * Splits {@code -P benchmark.param=value} options by benchmark and fills in defaults; an unknown
   * benchmark or parameter is an error naming the option.
   */
  public Map<String, Map<String, String>> parameters(Map<String, String> options) {
    Map<String, Map<String, String>> values = new LinkedHashMap<>();
    for (Benchmark b : byName.values()) {
      Map<String, String> defaults = new LinkedHashMap<>();
      b.parameters().forEach(p -> defaults.put(p.name(), p.defaultValue()));
      values.put(b.name(), defaults);
    }
    for (Map.Entry<String, String> option : options.entrySet()) {
      String key = option.getKey().trim();
      String shown = "-P " + key + "=" + option.getValue();
      int dot = key.indexOf('.');
      if (dot <= 0) {
        throw new IllegalArgumentException(shown + ": must be BENCHMARK.PARAMETER=VALUE, e.g. -P nd4j-sgemm.sizes=1024");
      }
      String bench = key.substring(0, dot);
      String param = key.substring(dot + 1);
      Map<String, String> known = values.get(bench);
      if (known == null) {
        throw new IllegalArgumentException(shown + ": no benchmark '" + bench + "'; known: " + String.join(", ", names()));
      }
      if (!known.containsKey(param)) {
        throw new IllegalArgumentException(shown + ": " + bench + " has no parameter '" + param + "'"
            + (known.isEmpty() ? " (it takes none)" : "; it has: " + String.join(", ", known.keySet())));
      }
      known.put(param, option.getValue());
    }
    return values;
  }

  /** The {@code --list} text: name, description and parameters with defaults. */
  public String describe() {
    int width = byName.keySet().stream().mapToInt(String::length).max().orElse(0);
    return byName.values().stream().map(b -> {
      StringBuilder line = new StringBuilder(String.format("%-" + width + "s  %s%n", b.name(), b.description()));
      for (Benchmark.Parameter p : b.parameters()) {
        line.append(String.format("%-" + width + "s    -P %s.%s=%s  %s%n", "", b.name(), p.name(), p.defaultValue(),
            p.description()));
      }
      return line.toString();
    }).collect(Collectors.joining());
  }

  static boolean isKebabCase(String name) {
    return name != null && KEBAB.matcher(name).matches();
  }
}
