package io.sparkgen.jobs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.sparkgen.jobs.Main;
import io.sparkgen.jobs.testing.Scripts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * deploy/k8s without a cluster: the rendered manifests match their schemas (offline: fabric8's core
 * Kubernetes schema from Maven Central, the spark-operator's from deploy/k8s/schema), each application
 * runs a sparkgen command whose config files the image holds and whose config resolves, the resources
 * come from the settings bin/jvm-flags.sh gives every cluster, and the Dockerfile copies what exists.
 * Broken manifests, arguments, values and Dockerfiles fail.
 */
class KubernetesManifestsTest {

  private static final Path K8S = Scripts.ROOT.resolve("deploy/k8s");
  private static final String JAR_OUTPUT = "spark-jobs/target/sparkgen-jobs.jar";
  private static final String IMAGE = "registry.example.com/ml/sparkgen:0.1.0";
  private static final YAMLMapper YAML = new YAMLMapper();

  private static ManifestSchemas schemas;
  private static DockerfileLint dockerfile;

  @TempDir Path tmp;

  @BeforeAll
  static void load() throws IOException {
    schemas = ManifestSchemas.load(K8S.resolve("schema/sparkoperator.k8s.io-v1beta2.json"));
    dockerfile = DockerfileLint.check(K8S.resolve("Dockerfile"), Scripts.ROOT, List.of(JAR_OUTPUT));
  }

  /** render.sh --out with the given variables; the manifests by file name. */
  private Map<String, JsonNode> render(String... variables) throws Exception {
    Path out = Files.createTempDirectory(tmp, "rendered");
    List<String> command = new ArrayList<>(List.of("deploy/k8s/render.sh", "--out", out.toString()));
    command.addAll(List.of(variables));
    Object[] r = Scripts.run(command.toArray(String[]::new));
    assertEquals(0, r[0], (String) r[1]);
    Map<String, JsonNode> manifests = new LinkedHashMap<>();
    try (var files = Files.list(out)) {
      for (Path f : files.sorted().toList()) {
        manifests.put(f.getFileName().toString(), YAML.readTree(f.toFile()));
      }
    }
    return manifests;
  }

  /** The manifests with every default, rendered once (callers copy before changing them). */
  private static Map<String, JsonNode> defaults;

  private Map<String, JsonNode> renderDefaults() throws Exception {
    if (defaults == null) {
      defaults = render("SPARKGEN_IMAGE=" + IMAGE);
    }
    return defaults;
  }

  /** The SparkApplicationSpec of a SparkApplication or of a ScheduledSparkApplication's template. */
  private static JsonNode appSpec(JsonNode manifest) {
    return manifest.path("kind").asText().equals("ScheduledSparkApplication")
        ? manifest.path("spec").path("template") : manifest.path("spec");
  }

  private static boolean isApp(JsonNode manifest) {
    return manifest.path("kind").asText().endsWith("SparkApplication");
  }

  @Test
  void everyRenderedManifestMatchesItsSchema() throws Exception {
    Map<String, JsonNode> manifests = renderDefaults();
    Set<String> kinds = new TreeSet<>();
    manifests.forEach((file, m) -> {
      assertEquals(List.of(), schemas.problems(m), file);
      kinds.add(m.path("kind").asText() + " " + m.path("metadata").path("name").asText());
      assertEquals("sparkgen", m.path("metadata").path("namespace").asText(), file);
    });
    assertEquals(new TreeSet<>(List.of("ConfigMap sparkgen-site", "PersistentVolumeClaim sparkgen-data",
        "SparkApplication sparkgen-train", "SparkApplication sparkgen-evaluate", "SparkApplication sparkgen-retrain",
        "ScheduledSparkApplication sparkgen-retrain-scheduled")), kinds);
    JsonNode scheduled = manifests.get("retrain-scheduled.yaml");
    assertEquals("Forbid", scheduled.path("spec").path("concurrencyPolicy").asText());
    assertEquals(List.of("retrain", "--conf", "/opt/sparkgen/conf/retrain.conf", "--conf", "/etc/sparkgen/storage.conf",
        "--conf", "/etc/sparkgen/retrain-input.conf"), strings(appSpec(scheduled).path("arguments")));
  }

  @Test
  void parametersReachTheManifests() throws Exception {
    Map<String, JsonNode> manifests = render("SPARKGEN_IMAGE=" + IMAGE, "SPARKGEN_NAMESPACE=ml-prod",
        "SPARKGEN_STORAGE_URI=hdfs://nn:8020/sparkgen/", "SPARKGEN_RETRAIN_SCHEDULE=@every 12h",
        "SPARKGEN_EXECUTORS=6", "SPARKGEN_EXECUTOR_CORES=4");
    manifests.forEach((file, m) -> {
      assertEquals(List.of(), schemas.problems(m), file);
      assertEquals("ml-prod", m.path("metadata").path("namespace").asText(), file);
      if (isApp(m)) {
        JsonNode spec = appSpec(m);
        assertEquals(IMAGE, spec.path("image").asText());
        assertEquals(6, spec.path("executor").path("instances").asInt());
        assertEquals(4, spec.path("executor").path("cores").asInt());
        assertEquals("4", spec.path("sparkConf").path("spark.executorEnv.OMP_NUM_THREADS").asText());
      }
    });
    assertEquals("@every 12h", manifests.get("retrain-scheduled.yaml").path("spec").path("schedule").asText());
    String storage = manifests.get("site-config.yaml").path("data").path("storage.conf").asText();
    assertTrue(storage.contains("registry = \"hdfs://nn:8020/sparkgen/registry/fashion-mnist\""), storage);
  }

  /** KEY=VALUE lines of sparkgen_cluster_conf from bin/jvm-flags.sh, with the image's paths. */
  private static Map<String, String> sharedSettings(String offheap, String overhead) throws Exception {
    Object[] r = Scripts.run("-c", "source bin/jvm-flags.sh && sparkgen_cluster_conf " + offheap + " " + overhead
        + " /opt/sparkgen/javacpp-cache -Dlog4j2.configurationFile=file:/opt/sparkgen/conf/log4j2.properties"
        + " && printf '%s\\n' \"${SPARKGEN_SPARK_CONF[@]}\"");
    assertEquals(0, r[0], (String) r[1]);
    Map<String, String> settings = new LinkedHashMap<>();
    for (String line : ((String) r[1]).strip().split("\n")) {
      settings.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
    }
    return settings;
  }

  @Test
  void resourcesAreTheSharedClusterSettings() throws Exception {
    for (String[] sizes : new String[][] {{"6G", "7g", "4g"}, {"10G", "8g", "3g"}}) {
      Map<String, String> shared = sharedSettings(sizes[0], sizes[1]);
      Map<String, JsonNode> manifests = render("SPARKGEN_IMAGE=" + IMAGE, "SPARKGEN_OFFHEAP=" + sizes[0],
          "SPARKGEN_EXECUTOR_OVERHEAD=" + sizes[1], "SPARKGEN_EXECUTOR_MEMORY=" + sizes[2]);
      for (JsonNode m : manifests.values()) {
        if (!isApp(m)) {
          continue;
        }
        JsonNode spec = appSpec(m);
        JsonNode driver = spec.path("driver");
        JsonNode executor = spec.path("executor");
        assertEquals(shared.get("spark.executor.extraJavaOptions"), executor.path("javaOptions").asText());
        assertEquals(shared.get("spark.driver.extraJavaOptions"), driver.path("javaOptions").asText());
        assertEquals(shared.get("spark.executor.memoryOverhead"), executor.path("memoryOverhead").asText());
        assertEquals(shared.get("spark.driver.memoryOverhead"), driver.path("memoryOverhead").asText());
        assertEquals(sizes[2], executor.path("memory").asText());
        for (Map.Entry<String, String> s : shared.entrySet()) {
          if (!s.getKey().endsWith("JavaOptions") && !s.getKey().endsWith("memoryOverhead")) {
            assertEquals(s.getValue(), spec.path("sparkConf").path(s.getKey()).asText(), s.getKey());
          }
        }
        assertEquals("org.apache.spark.serializer.JavaSerializer", spec.path("sparkConf").path("spark.serializer").asText());
        // The pod (heap + overhead) holds JavaCPP's cap on the process, or the kubelet kills it first.
        assertTrue(mib(executor.path("memory").asText()) + mib(executor.path("memoryOverhead").asText())
            >= mib(sizes[0]), sizes[0]);
        assertTrue(executor.path("javaOptions").asText().contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=" + sizes[0]));
      }
    }
  }

  private static long mib(String size) {
    long n = Long.parseLong(size.replaceAll("[kKmMgGtT]$", ""));
    return switch (Character.toLowerCase(size.charAt(size.length() - 1))) {
      case 'g' -> n * 1024;
      case 't' -> n * 1024 * 1024;
      case 'm' -> n;
      default -> throw new IllegalArgumentException(size);
    };
  }

  @Test
  void everyApplicationRunsASparkgenCommandWhoseConfigResolves() throws Exception {
    Map<String, JsonNode> manifests = renderDefaults();
    int apps = 0;
    for (Map.Entry<String, JsonNode> m : manifests.entrySet()) {
      if (isApp(m.getValue())) {
        assertEquals(List.of(), commandProblems(m.getValue(), manifests), m.getKey());
        apps++;
      }
    }
    assertEquals(4, apps);
    // The ConfigMap's files, given after the image's, place every output under the storage URI.
    assertTrue(resolved.get("sparkgen-train").contains("\"file:///data/runs/fashion-mnist\""), resolved.get("sparkgen-train"));
    assertTrue(resolved.get("sparkgen-evaluate").contains("\"file:///data/cache/stats\""));
    for (String retrain : List.of("sparkgen-retrain", "sparkgen-retrain-scheduled")) {
      String config = resolved.get(retrain);
      assertTrue(config.contains("\"file:///data/registry/fashion-mnist\""), config);
      assertTrue(config.contains("\"file:///data/incoming/fashion-mnist\""), config);
      assertTrue(config.contains("image-folder"), "conf/retrain.conf's input format: " + config);
    }
  }

  /** Subcommand names of the sparkgen CLI. */
  private static Set<String> subcommands() {
    Set<String> names = new TreeSet<>(new CommandLine(new Main()).getSubcommands().keySet());
    names.remove("help");
    return names;
  }

  /**
   * What keeps an application's command from running: the main class and jar, the subcommand, each
   * --conf file (in the image through a COPY of conf/, or in a ConfigMap the driver mounts), and the
   * config they resolve to (sparkgen's own --dry-run, in this JVM).
   */
  private List<String> commandProblems(JsonNode manifest, Map<String, JsonNode> manifests) throws IOException {
    List<String> problems = new ArrayList<>();
    JsonNode spec = appSpec(manifest);
    if (!spec.path("mainClass").asText().equals(Main.class.getName())) {
      problems.add("mainClass " + spec.path("mainClass").asText() + " is not " + Main.class.getName());
    }
    String jar = spec.path("mainApplicationFile").asText().replaceFirst("^local://", "");
    if (!dockerfile.sourceOf(jar, Scripts.ROOT).map(p -> p.endsWith(JAR_OUTPUT)).orElse(false)) {
      problems.add("mainApplicationFile " + jar + " is not the fat jar the Dockerfile copies");
    }
    List<String> args = strings(spec.path("arguments"));
    if (args.isEmpty() || !subcommands().contains(args.get(0))) {
      problems.add("arguments " + args + " do not start with a sparkgen command " + subcommands());
      return problems;
    }
    List<String> local = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      local.add(a);
      if ((a.equals("--conf") || a.equals("-c")) && i + 1 < args.size()) {
        String file = args.get(++i);
        Optional<Path> here = fileInPod(file, spec, manifests);
        if (here.isEmpty() || !Files.isRegularFile(here.get())) {
          problems.add("--conf " + file + ": neither copied into the image from conf/ nor in a ConfigMap the driver mounts"
              + here.map(p -> " (looked for " + p + ")").orElse(""));
          local.add(file);
        } else {
          local.add(here.get().toString());
        }
      }
    }
    if (problems.isEmpty()) {
      local.add("--dry-run");
      PrintStream console = System.out;
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      int code;
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      try {
        code = Main.run(local.toArray(String[]::new));
      } finally {
        System.setOut(console);
      }
      resolved.put(manifest.path("metadata").path("name").asText(), printed.toString(StandardCharsets.UTF_8));
      if (code != 0) {
        problems.add("sparkgen " + String.join(" ", local) + " exits " + code);
      }
    }
    return problems;
  }

  /** The config each application's --dry-run printed, by application name. */
  private final Map<String, String> resolved = new HashMap<>();

  /** Where a file the driver pod sees comes from: the image (Dockerfile COPY) or a mounted ConfigMap key. */
  private Optional<Path> fileInPod(String file, JsonNode spec, Map<String, JsonNode> manifests) throws IOException {
    Optional<Path> inImage = dockerfile.sourceOf(file, Scripts.ROOT);
    if (inImage.isPresent()) {
      return inImage;
    }
    for (JsonNode mount : spec.path("driver").path("volumeMounts")) {
      String dir = mount.path("mountPath").asText().replaceAll("/+$", "") + "/";
      if (!file.startsWith(dir)) {
        continue;
      }
      for (JsonNode volume : spec.path("volumes")) {
        if (!volume.path("name").asText().equals(mount.path("name").asText()) || !volume.has("configMap")) {
          continue;
        }
        String name = volume.path("configMap").path("name").asText();
        for (JsonNode m : manifests.values()) {
          JsonNode data = m.path("data").path(file.substring(dir.length()));
          if (m.path("kind").asText().equals("ConfigMap") && m.path("metadata").path("name").asText().equals(name)
              && data.isTextual()) {
            Path copy = Files.createTempFile(tmp, "configmap-", "-" + file.substring(dir.length()));
            return Optional.of(Files.writeString(copy, data.asText()));
          }
        }
      }
    }
    return Optional.empty();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void theDockerfileCopiesWhatExistsAndStartsAnExecutableEntrypoint() throws Exception {
    assertEquals(List.of(), dockerfile.problems);
    assertTrue(dockerfile.from.matches("apache/spark:3\\.5\\.\\d+-scala2\\.12-java17-.*"), dockerfile.from);
    // The manifests name the Spark of the image.
    String version = dockerfile.from.replaceAll("^apache/spark:(3\\.5\\.\\d+)-.*", "$1");
    assertEquals(version, appSpec(renderDefaults().get("train.yaml")).path("sparkVersion").asText());
    assertEquals(Optional.of(Scripts.ROOT.resolve("conf/retrain.conf")),
        dockerfile.sourceOf("/opt/sparkgen/conf/retrain.conf", Scripts.ROOT));
    assertEquals(Optional.of(Scripts.ROOT.resolve("bin/jvm-flags.sh")),
        dockerfile.sourceOf("/opt/sparkgen/bin/jvm-flags.sh", Scripts.ROOT));
  }

  @Test
  void theEntrypointHandsSparkPodsToTheBaseImageAndRunsCommandsWithTheSharedSettings() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("opt-sparkgen/bin"));
    Files.copy(Scripts.ROOT.resolve("bin/jvm-flags.sh"), home.resolve("jvm-flags.sh"));
    Path record = tmp.resolve("argv.txt");
    Path sparkBin = Files.createDirectories(tmp.resolve("spark/bin"));
    recorder(sparkBin.resolve("spark-submit"), record);
    Path base = recorder(tmp.resolve("base-entrypoint.sh"), record);
    Map<String, String> env = new HashMap<>(Map.of("SPARKGEN_HOME", home.getParent().toString(),
        "SPARK_HOME", sparkBin.getParent().toString(), "SPARK_ENTRYPOINT", base.toString()));

    Object[] r = Scripts.run(env, "deploy/k8s/entrypoint.sh", "executor");
    assertEquals(0, r[0], (String) r[1]);
    assertEquals(List.of(base.toString(), "executor"), Files.readAllLines(record));

    r = Scripts.run(env, "deploy/k8s/entrypoint.sh", "retrain", "--conf", "/opt/sparkgen/conf/retrain.conf");
    assertEquals(0, r[0], (String) r[1]);
    Map<String, String> shared = sharedSettings("6G", "7g");
    List<String> expected = new ArrayList<>(List.of(sparkBin.resolve("spark-submit").toString(),
        "--master", "local[*]", "--driver-memory", "4g", "--class", Main.class.getName()));
    shared.forEach((k, v) -> expected.addAll(List.of("--conf", k + "=" + v.replace("/opt/sparkgen", home.getParent().toString()))));
    expected.addAll(List.of(home.getParent().resolve("sparkgen-jobs.jar").toString(), "retrain", "--conf",
        "/opt/sparkgen/conf/retrain.conf"));
    assertEquals(expected, Files.readAllLines(record));
  }

  private static Path recorder(Path script, Path record) throws IOException {
    Files.writeString(script, "#!/usr/bin/env bash\nprintf '%s\\n' \"$0\" \"$@\" > '" + record + "'\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  // Negative tests: each breakage must be caught by the check that guards against it.

  private List<String> problemsAfter(String file, Consumer<ObjectNode> breakIt) throws Exception {
    ObjectNode manifest = (ObjectNode) renderDefaults().get(file).deepCopy();
    breakIt.accept(manifest);
    return schemas.problems(manifest);
  }

  private static ObjectNode at(ObjectNode node, String... path) {
    ObjectNode n = node;
    for (String p : path) {
      n = (ObjectNode) n.get(p);
    }
    return n;
  }

  @Test
  void brokenManifestsFailTheirSchema() throws Exception {
    assertProblem(problemsAfter("train.yaml", m -> {
      ObjectNode executor = at(m, "spec", "executor");
      executor.set("memoryOverheads", executor.remove("memoryOverhead"));
    }), "memoryOverheads");
    assertProblem(problemsAfter("train.yaml", m -> at(m, "spec", "restartPolicy").put("type", "Sometimes")), "restartPolicy");
    assertProblem(problemsAfter("evaluate.yaml", m -> at(m, "spec").remove("sparkVersion")), "sparkVersion");
    assertProblem(problemsAfter("evaluate.yaml", m -> at(m, "spec", "executor").put("instances", 0)), "instances");
    assertProblem(problemsAfter("retrain.yaml", m -> at(m, "spec", "executor").put("cores", "one")), "cores");
    assertProblem(problemsAfter("retrain.yaml", m -> ((ArrayNode) at(m, "spec", "driver").get("volumeMounts"))
        .addObject().put("name", "x").put("mountPath", "/x").put("readonly", true)), "readonly");
    assertProblem(problemsAfter("retrain-scheduled.yaml", m -> at(m, "spec").put("schedule", "0 3 * *")), "schedule");
    assertProblem(problemsAfter("retrain-scheduled.yaml", m -> at(m, "spec").put("concurrencyPolicy", "Never")),
        "concurrencyPolicy");
    assertProblem(problemsAfter("retrain-scheduled.yaml", m -> at(m, "spec", "template", "driver").put("memory", "4 GB")),
        "memory");
    assertProblem(problemsAfter("storage.yaml", m -> at(m, "spec").put("accessModes", "ReadWriteMany")), "accessModes");
    assertProblem(problemsAfter("storage.yaml", m -> at(m, "spec", "resources", "requests").put("storage", "lots")),
        "storage");
    assertProblem(problemsAfter("site-config.yaml", m -> at(m, "metadata").put("name", "Sparkgen_Site")), "name");
    assertProblem(problemsAfter("site-config.yaml", m -> m.put("kind", "ConfigMapp")), "no schema");
  }

  @Test
  void brokenCommandsFail() throws Exception {
    Map<String, JsonNode> manifests = renderDefaults();
    ObjectNode train = (ObjectNode) manifests.get("train.yaml").deepCopy();
    ArrayNode args = (ArrayNode) at(train, "spec").get("arguments");
    args.set(0, args.textNode("trian"));
    assertProblem(commandProblems(train, manifests), "do not start with a sparkgen command");

    ObjectNode retrain = (ObjectNode) manifests.get("retrain.yaml").deepCopy();
    ((ArrayNode) at(retrain, "spec").get("arguments")).set(2, args.textNode("/opt/sparkgen/conf/retrain-missing.conf"));
    assertProblem(commandProblems(retrain, manifests), "retrain-missing.conf");

    ObjectNode evaluate = (ObjectNode) manifests.get("evaluate.yaml").deepCopy();
    ((ArrayNode) at(evaluate, "spec").get("arguments")).add("--conf").add("/etc/sparkgen/absent.conf");
    assertProblem(commandProblems(evaluate, manifests), "absent.conf");

    ObjectNode unknownKey = (ObjectNode) manifests.get("evaluate.yaml").deepCopy();
    ((ArrayNode) at(unknownKey, "spec").get("arguments")).add("--set").add("evaluate.real-cnt=10");
    assertProblem(commandProblems(unknownKey, manifests), "exits 2");

    ObjectNode jar = (ObjectNode) manifests.get("train.yaml").deepCopy();
    at(jar, "spec").put("mainApplicationFile", "local:///opt/spark/jars/sparkgen.jar");
    assertProblem(commandProblems(jar, manifests), "mainApplicationFile");
  }

  @Test
  void renderRefusesBadValuesAndUnknownPlaceholders() throws Exception {
    assertRenderFails("set SPARKGEN_IMAGE");
    assertRenderFails("not a namespace", "SPARKGEN_IMAGE=" + IMAGE, "SPARKGEN_NAMESPACE=ML");
    assertRenderFails("below the off-heap limit", "SPARKGEN_IMAGE=" + IMAGE, "SPARKGEN_OFFHEAP=16G");
    assertRenderFails("not a URI", "SPARKGEN_IMAGE=" + IMAGE, "SPARKGEN_STORAGE_URI=/data");
    assertRenderFails("not a cron schedule", "SPARKGEN_IMAGE=" + IMAGE, "SPARKGEN_RETRAIN_SCHEDULE=daily");
    assertRenderFails("unknown argument", "SPARKGEN_IMAGE=" + IMAGE, "IMAGE=x");
    Path templates = Files.createDirectories(tmp.resolve("templates"));
    Files.writeString(templates.resolve("x.yaml"), "metadata:\n  name: ${SPARKGEN_NAMSPACE}\n");
    assertRenderFails("${SPARKGEN_NAMSPACE} has no value", "--templates", templates.toString(), "SPARKGEN_IMAGE=" + IMAGE);
  }

  private void assertRenderFails(String message, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("deploy/k8s/render.sh", "--out", tmp.resolve("refused").toString()));
    command.addAll(List.of(args));
    Object[] r = Scripts.run(command.toArray(String[]::new));
    assertEquals(2, r[0], (String) r[1]);
    assertTrue(((String) r[1]).contains(message), (String) r[1]);
    assertFalse(Files.exists(tmp.resolve("refused")), "wrote manifests although it refused");
  }

  @Test
  void brokenDockerfilesFail() throws Exception {
    Path context = Files.createDirectories(tmp.resolve("context"));
    Files.writeString(context.resolve("run.sh"), "#!/bin/sh\n");
    Files.writeString(context.resolve("app.conf"), "");
    Path df = context.resolve("Dockerfile");

    Files.writeString(df, "FROM base:1\nCOPY missing.jar /app/\nCOPY run.sh /app/run.sh\nUSER 185\nENTRYPOINT [\"/app/run.sh\"]\n");
    assertProblem(DockerfileLint.check(df, context, List.of()).problems, "missing.jar");
    assertProblem(DockerfileLint.check(df, context, List.of()).problems, "not an executable file");

    Files.setPosixFilePermissions(context.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(df, "FROM base:1\nCOPY run.sh /app/run.sh\nUSER 185\nENTRYPOINT [\"/app/start.sh\"]\n");
    assertProblem(DockerfileLint.check(df, context, List.of()).problems, "not a file this Dockerfile copies");

    Files.writeString(df, "FROM base:1\nCOPY run.sh /app/run.sh\nENTRYPOINT /app/run.sh\n");
    List<String> problems = DockerfileLint.check(df, context, List.of()).problems;
    assertProblem(problems, "shell form");
    assertProblem(problems, "runs as root");

    Files.writeString(df, "FROM base:1\nCOPY run.sh app.conf /app/\nUSER 185\nENTRYPOINT [\"/app/run.sh\"]\n");
    Files.writeString(context.resolve("Dockerfile.dockerignore"), "*\n!run.sh\n");
    assertProblem(DockerfileLint.check(df, context, List.of()).problems, "app.conf: excluded by");
    Files.writeString(context.resolve("Dockerfile.dockerignore"), "*\n!run.sh\n!app.conf\n");
    assertEquals(List.of(), DockerfileLint.check(df, context, List.of()).problems);
  }

  private static void assertProblem(List<String> problems, String expected) {
    assertTrue(problems.stream().anyMatch(p -> p.contains(expected)), "expected a problem naming '" + expected + "': " + problems);
  }
}
