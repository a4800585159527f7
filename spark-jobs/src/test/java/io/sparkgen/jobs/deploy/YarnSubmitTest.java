package io.sparkgen.jobs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.testing.Scripts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/yarn/submit.sh against a stand-in spark-submit that records its arguments (no YARN cluster
 * exists here): the exact command line in cluster and client mode, the settings it shares with
 * deploy/spark-submit.sh, the config files shipped with --files, and its refusals.
 */
class YarnSubmitTest {

  private static final String SCRIPT = "deploy/yarn/submit.sh";

  @TempDir Path tmp;
  private Path record;
  private Path jar;
  private Map<String, String> env;

  @BeforeEach
  void fakeSparkAndCluster() throws IOException {
    Path sparkHome = Files.createDirectories(tmp.resolve("spark/bin"));
    record = tmp.resolve("argv.txt");
    Path submit = sparkHome.resolve("spark-submit");
    Files.writeString(submit, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > '" + record + "'\n"
        + "echo \"$HADOOP_CONF_DIR\" > '" + record + ".conf-dir'\n");
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    jar = Files.writeString(tmp.resolve("sparkgen-jobs.jar"), "not a jar");
    Path hadoopConf = Files.createDirectories(tmp.resolve("hadoop-conf"));
    env = new HashMap<>(Map.of("SPARK_HOME", tmp.resolve("spark").toString(), "SPARKGEN_JAR", jar.toString(),
        "HADOOP_CONF_DIR", hadoopConf.toString(), "YARN_CONF_DIR", ""));
  }

  private Object[] submit(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(SCRIPT));
    command.addAll(List.of(args));
    return Scripts.run(env, command.toArray(String[]::new));
  }

  private List<String> recorded() throws IOException {
    return Files.readAllLines(record);
  }

  /** The shared settings (bin/jvm-flags.sh) with the given JavaCPP cache and extra driver options. */
  private static List<String> sharedConf(String cache, String driverExtra) {
    String javacpp = "-Dorg.bytedeco.javacpp.maxphysicalbytes=6G -Dorg.bytedeco.javacpp.cachedir=" + cache;
    return List.of("--conf", "spark.executor.extraJavaOptions=" + javacpp,
        "--conf", "spark.driver.extraJavaOptions=" + javacpp + driverExtra,
        "--conf", "spark.executor.memoryOverhead=7g",
        "--conf", "spark.driver.memoryOverhead=7g",
        "--conf", "spark.serializer=org.apache.spark.serializer.JavaSerializer",
        "--conf", "spark.ui.showConsoleProgress=false");
  }

  @Test
  void clusterModeShipsTheConfigFileAndNamesItByItsFileName() throws Exception {
    Object[] r = submit("--executor-memory", "4g", "--num-executors", "8", "--executor-cores=4", "--",
        "retrain", "--conf", "conf/retrain.conf", "--set", "retrain.margin=1.0");
    assertEquals(0, r[0], (String) r[1]);
    List<String> expected = new ArrayList<>(List.of("--master", "yarn", "--deploy-mode", "cluster",
        "--class", "io.sparkgen.jobs.Main"));
    expected.addAll(sharedConf("/tmp/sparkgen-javacpp", ""));
    expected.addAll(List.of("--conf", "spark.executorEnv.OMP_NUM_THREADS=4",
        "--conf", "spark.yarn.appMasterEnv.OMP_NUM_THREADS=1",
        "--conf", "spark.yarn.maxAppAttempts=1",
        "--files", "conf/retrain.conf",
        "--executor-memory", "4g", "--num-executors", "8", "--executor-cores=4",
        jar.toString(), "retrain", "--conf", "retrain.conf", "--set", "retrain.margin=1.0"));
    assertEquals(expected, recorded());
    assertEquals(env.get("HADOOP_CONF_DIR"), Files.readString(Path.of(record + ".conf-dir")).strip());
  }

  @Test
  void everyConfigFileTravelsAndRemoteOnesToo() throws Exception {
    env.put("SPARKGEN_OFFHEAP", "10G");
    env.put("SPARKGEN_EXECUTOR_OVERHEAD", "11g");
    Object[] r = submit("--deploy-mode=cluster", "--", "train", "-c", "conf/fashion-mnist.conf",
        "--conf=hdfs://nn:8020/sparkgen/site.conf", "--model", "vae");
    assertEquals(0, r[0], (String) r[1]);
    List<String> argv = recorded();
    assertEquals("conf/fashion-mnist.conf,hdfs://nn:8020/sparkgen/site.conf", argv.get(argv.indexOf("--files") + 1));
    assertEquals(List.of("train", "-c", "fashion-mnist.conf", "--conf=site.conf", "--model", "vae"),
        argv.subList(argv.indexOf(jar.toString()) + 1, argv.size()));
    assertTrue(argv.contains("spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.maxphysicalbytes=10G "
        + "-Dorg.bytedeco.javacpp.cachedir=/tmp/sparkgen-javacpp"), argv.toString());
    assertTrue(argv.contains("spark.executor.memoryOverhead=11g"), argv.toString());
  }

  @Test
  void clientModeCarriesTheSameSettingsAsTheStandaloneScript() throws Exception {
    String cache = tmp.resolve("javacpp").toString();
    env.put("SPARKGEN_YARN_JAVACPP_CACHE", cache);
    Object[] r = submit("--deploy-mode", "client", "--", "evaluate", "--conf", "conf/fashion-mnist.conf");
    assertEquals(0, r[0], (String) r[1]);
    List<String> yarn = recorded();
    assertFalse(yarn.contains("--files"), "client mode reads the config where it is: " + yarn);
    assertEquals(List.of("evaluate", "--conf", "conf/fashion-mnist.conf"),
        yarn.subList(yarn.indexOf(jar.toString()) + 1, yarn.size()));

    env.put("SPARKGEN_JAVACPP_CACHE", cache);
    Object[] s = Scripts.run(env, "deploy/spark-submit.sh", "--", "evaluate", "--conf", "conf/fashion-mnist.conf");
    assertEquals(0, s[0], (String) s[1]);
    List<String> standalone = recorded();
    String log4j = " -Dlog4j2.configurationFile=file:" + Scripts.ROOT.resolve("conf/log4j2.properties");
    List<String> shared = sharedConf(cache, log4j);
    assertEquals(shared, settingsOf(standalone));
    List<String> yarnSettings = settingsOf(yarn);
    assertEquals(shared, yarnSettings.subList(0, shared.size()));
    assertEquals(List.of("--conf", "spark.executorEnv.OMP_NUM_THREADS=1", "--conf", "spark.yarn.maxAppAttempts=1"),
        yarnSettings.subList(shared.size(), yarnSettings.size()));
  }

  /** The --conf KEY=VALUE pairs of a recorded spark-submit command line, in order. */
  private static List<String> settingsOf(List<String> argv) {
    List<String> settings = new ArrayList<>();
    for (int i = 0; i < argv.size() - 1; i++) {
      if (argv.get(i).equals("--conf") && argv.get(i + 1).startsWith("spark.")) {
        settings.add("--conf");
        settings.add(argv.get(++i));
      }
    }
    return settings;
  }

  @Test
  void printCommandPrintsAndRunsNothing() throws Exception {
    Object[] r = submit("--print-command", "--", "retrain", "--conf", "conf/retrain.conf");
    assertEquals(0, r[0], (String) r[1]);
    String out = ((String) r[1]).strip();
    assertTrue(out.startsWith(env.get("SPARK_HOME") + "/bin/spark-submit --master yarn --deploy-mode cluster "), out);
    assertTrue(out.contains("spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.maxphysicalbytes=6G\\ "), out);
    assertTrue(out.endsWith(jar + " retrain --conf retrain.conf"), out);
    assertFalse(Files.exists(record), "spark-submit ran");
  }

  @Test
  void refusesWhatCannotWork() throws Exception {
    env.put("HADOOP_CONF_DIR", "");
    assertRefused(submit("--", "retrain"), "set HADOOP_CONF_DIR");
    env.put("YARN_CONF_DIR", tmp.resolve("hadoop-conf").toString());
    assertAccepted(submit("--", "retrain"));
    assertRefused(submit("--master", "yarn", "--", "retrain"), "the master is yarn");
    assertRefused(submit("--deploy-mode", "local", "--", "retrain"), "cluster or client");
    assertRefused(submit("--", "retrain", "--conf", "conf/missing.conf"), "conf/missing.conf does not exist");
    assertRefused(submit("--files", "x.txt", "--", "retrain"), "shipped for you");
    Path other = Files.createDirectories(tmp.resolve("other")).resolve("retrain.conf");
    Files.writeString(other, "");
    assertRefused(submit("--", "retrain", "--conf", "conf/retrain.conf", "--conf", other.toString()),
        "two config files are named retrain.conf");
    assertRefused(submit("--executor-memory", "4g"), "usage:");
    env.put("SPARKGEN_OFFHEAP", "12G");
    assertRefused(submit("--executor-memory", "4g", "--", "retrain"), "below the off-heap limit 12G");
    assertRefused(submit("--executor-memory", "8g", "--", "retrain"), "driver: memory 1g + memoryOverhead 7g");
    assertAccepted(submit("--executor-memory", "8g", "--driver-memory", "5g", "--", "retrain"));
    env.remove("SPARKGEN_OFFHEAP");
    assertRefused(submit("--executor-cores", "0", "--", "retrain"), "not a core count");
    env.put("SPARKGEN_JAR", tmp.resolve("absent.jar").toString());
    assertRefused(submit("--", "retrain"), "is not built");
  }

  private static void assertAccepted(Object[] result) {
    assertEquals(0, result[0], (String) result[1]);
  }

  private static void assertRefused(Object[] result, String message) {
    assertEquals(2, result[0], (String) result[1]);
    assertTrue(((String) result[1]).contains(message), (String) result[1]);
  }
}
