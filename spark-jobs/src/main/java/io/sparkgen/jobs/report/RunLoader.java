package io.sparkgen.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sparkgen.jobs.eval.MetricRow;
import io.sparkgen.jobs.eval.MetricsTable;
import io.sparkgen.jobs.train.RunCheckpoints;
import io.sparkgen.model.provenance.Hashes;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds run directories (given, or the runs inside a given parent) and reads what the report needs. */
public final class RunLoader {

  private static final Logger LOG = LoggerFactory.getLogger(RunLoader.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern GRID = Pattern.compile("samples-(\\d{12})\\.png");
  private static final Pattern NEAREST = Pattern.compile("nearest-(\\d{12})\\.png");
  private static final Pattern SAMPLER = Pattern.compile("(.+)-(\\d+)\\.png");

  private final SparkSession spark;
  private final Map<String, String> labels;
  private final int gridsPerRun;

  public RunLoader(SparkSession spark, Map<String, String> labels, int gridsPerRun) {
    this.spark = spark;
    this.labels = labels;
    this.gridsPerRun = gridsPerRun;
  }

  /** A run directory holds config.conf or stats.csv. */
  static boolean isRun(FileSystem fs, Path dir) throws IOException {
    return fs.exists(new Path(dir, "config.conf")) || fs.exists(new Path(dir, "stats.csv"));
  }

  /** Each entry as a run, or the runs directly inside it (sorted by name); fails naming an entry with none. */
  public static List<Path> discover(SparkSession spark, List<String> entries) throws IOException {
    List<Path> runs = new ArrayList<>();
    for (String entry : entries) {
      Path path = new Path(entry);
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      path = fs.makeQualified(path);
      if (!fs.exists(path)) {
        throw new FileNotFoundException("report.runs: " + path + " does not exist");
      }
      if (isRun(fs, path)) {
        runs.add(path);
        continue;
      }
      List<Path> inside = new ArrayList<>();
      for (FileStatus child : fs.listStatus(path)) {
        String n = child.getPath().getName();
        if (child.isDirectory() && !n.startsWith(".") && !n.startsWith("_") && isRun(fs, child.getPath())) {
          inside.add(child.getPath());
        }
      }
      if (inside.isEmpty()) {
        throw new FileNotFoundException("report.runs: " + path + " is no run directory (no config.conf or stats.csv)"
            + " and holds none");
      }
      inside.sort(Comparator.comparing(Path::getName));
      runs.addAll(inside);
    }
    List<String> seen = new ArrayList<>();
    for (Path run : runs) {
      if (seen.contains(run.toString())) {
        throw new IllegalArgumentException("report.runs: " + run + " is given twice");
      }
      seen.add(run.toString());
    }
    return runs;
  }

  public RunData load(Path dir) throws IOException {
    FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
    String name = dir.getName();
    String family = "unknown";
    String configHash = "";
    Path confFile = new Path(dir, "config.conf");
    if (fs.exists(confFile)) {
      byte[] bytes = read(fs, confFile);
      configHash = Hashes.sha256Hex(bytes);
      Config conf = ConfigFactory.parseString(new String(bytes, StandardCharsets.UTF_8));
      if (conf.hasPath("train.model.family")) {
        family = conf.getString("train.model.family");
      }
    }
    Path statsFile = new Path(dir, "stats.csv");
    StatsTable stats = fs.exists(statsFile)
        ? StatsTable.parse(new String(read(fs, statsFile), StandardCharsets.UTF_8), statsFile.toString())
        : StatsTable.empty();
    List<MetricRow> metrics = MetricsTable.read(spark, dir);
    List<RunData.CheckpointInfo> checkpoints = new ArrayList<>();
    for (Path ckpt : RunCheckpoints.all(fs, dir)) {
      checkpoints.add(checkpointInfo(fs, ckpt));
    }
    if (family.equals("unknown") && !metrics.isEmpty()) {
      family = metrics.get(0).family();
    }
    List<Path> gridFiles = stepFiles(fs, new Path(dir, "samples"), GRID);
    List<RunData.Image> grids = new ArrayList<>();
    for (Path p : spread(gridFiles, gridsPerRun)) {
      grids.add(new RunData.Image(step(p, GRID), read(fs, p)));
    }
    List<RunData.Nearest> nearest = new ArrayList<>();
    for (Path p : stepFiles(fs, new Path(dir, "eval"), NEAREST)) {
      Path json = new Path(p.getParent(), p.getName().replace(".png", ".json"));
      JsonNode node = fs.exists(json) ? JSON.readTree(read(fs, json)) : JSON.createObjectNode();
      List<List<Double>> distances = new ArrayList<>();
      for (JsonNode row : node.path("distances")) {
        List<Double> r = new ArrayList<>();
        row.forEach(d -> r.add(d.asDouble()));
        distances.add(r);
      }
      nearest.add(new RunData.Nearest(step(p, NEAREST), read(fs, p), node.path("extractor").asText("unknown"),
          node.path("extractorHash").asText(""), distances));
    }
    List<RunData.SamplerGrid> samplers = new ArrayList<>();
    Path samplerDir = new Path(dir, "samplers");
    if (fs.exists(samplerDir)) {
      for (FileStatus f : fs.listStatus(samplerDir)) {
        Matcher m = SAMPLER.matcher(f.getPath().getName());
        if (!m.matches()) {
          continue;
        }
        Path json = new Path(samplerDir, f.getPath().getName().replace(".png", ".json"));
        JsonNode node = fs.exists(json) ? JSON.readTree(read(fs, json)) : JSON.createObjectNode();
        samplers.add(new RunData.SamplerGrid(node.path("sampler").asText(m.group(1)),
            node.path("steps").asLong(Long.parseLong(m.group(2))), node.path("secondsPerImage").asDouble(Double.NaN),
            node.path("seed").asLong(-1), read(fs, f.getPath())));
      }
      samplers.sort(Comparator.comparingDouble(RunData.SamplerGrid::secondsPerImage)
          .thenComparing(RunData.SamplerGrid::sampler).thenComparingLong(RunData.SamplerGrid::steps));
    }
    LOG.info("report: read run {} ({}): {} rounds, {} metric rows, {} checkpoints, {} sample grids", name, family,
        stats.rows().size(), metrics.size(), checkpoints.size(), gridFiles.size());
    return new RunData(labels.getOrDefault(name, name), name, dir.toString(), family, configHash, stats, metrics,
        checkpoints, grids, gridFiles.size(), nearest, samplers);
  }

  /** At most n of the files, evenly spread, always with the first and the last. */
  static <T> List<T> spread(List<T> all, int n) {
    if (all.size() <= n) {
      return all;
    }
    List<T> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      T pick = all.get((int) Math.round(i * (all.size() - 1) / (double) Math.max(1, n - 1)));
      if (!out.contains(pick)) {
        out.add(pick);
      }
    }
    return out;
  }

  private static RunData.CheckpointInfo checkpointInfo(FileSystem fs, Path ckpt) throws IOException {
    try (ZipInputStream zip = new ZipInputStream(fs.open(ckpt))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        if (e.getName().equals("metadata.json")) {
          JsonNode meta = JSON.readTree(zip.readAllBytes());
          JsonNode prov = meta.path("provenance");
          Map<String, String> versions = new TreeMap<>();
          prov.path("versions").fields().forEachRemaining(v -> versions.put(v.getKey(), v.getValue().asText()));
          return new RunData.CheckpointInfo(meta.path("step").asLong(RunCheckpoints.step(ckpt)),
              prov.path("configHash").asText(""), prov.path("dataManifestHash").asText(""), prov.path("seed").asLong(),
              versions, prov.path("createdAt").asText(""));
        }
      }
    }
    throw new IOException("checkpoint " + ckpt + " has no metadata.json");
  }

  private static List<Path> stepFiles(FileSystem fs, Path dir, Pattern pattern) throws IOException {
    List<Path> files = new ArrayList<>();
    if (fs.exists(dir)) {
      for (FileStatus f : fs.listStatus(dir)) {
        if (pattern.matcher(f.getPath().getName()).matches()) {
          files.add(f.getPath());
        }
      }
    }
    files.sort(Comparator.comparingLong(p -> step(p, pattern)));
    return files;
  }

  private static long step(Path p, Pattern pattern) {
    Matcher m = pattern.matcher(p.getName());
    if (!m.matches()) {
      throw new IllegalArgumentException(p + " does not match " + pattern);
    }
    return Long.parseLong(m.group(1));
  }

  private static byte[] read(FileSystem fs, Path p) throws IOException {
    try (InputStream in = fs.open(p)) {
      return in.readAllBytes();
    }
  }
}
