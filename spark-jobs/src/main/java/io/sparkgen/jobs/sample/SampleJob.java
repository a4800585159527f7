package io.sparkgen.jobs.sample;

import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.fs.HadoopFiles;
import io.sparkgen.jobs.fs.SerializableHadoopConf;
import io.sparkgen.jobs.fs.StagedDirectory;
import io.sparkgen.jobs.image.ImageBlock;
import io.sparkgen.jobs.image.ImageCodec;
import io.sparkgen.jobs.image.ImageGrid;
import io.sparkgen.jobs.image.NpyWriter;
import io.sparkgen.jobs.image.RawImage;
import io.sparkgen.jobs.train.RunCheckpoints;
import io.sparkgen.model.checkpoint.Checkpoint;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.provenance.Provenance;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sparkgen sample}: N images from a checkpoint, generated on the executors
 * ({@link Generation}), written as PNG files, one .npy array or a grid into a directory that is
 * committed atomically, with {@code sample.json} saying where they came from.
 */
public final class SampleJob {

  private static final Logger LOG = LoggerFactory.getLogger(SampleJob.class);

  private final SparkSession spark;
  private final ResolvedConfig resolved;
  private final SampleConfig config;

  public SampleJob(SparkSession spark, ResolvedConfig resolved) {
    this.spark = spark;
    this.resolved = resolved;
    this.config = resolved.config().sample();
  }

  /** Writes the samples; returns the committed output directory. */
  public Path run() throws IOException {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    org.apache.hadoop.conf.Configuration hadoop = sc.hadoopConfiguration();
    Path source = RunCheckpoints.select(new Path(config.checkpoint().endsWith(".zip") ? config.checkpoint()
        : config.run()).getFileSystem(hadoop), config.run(), config.checkpoint());
    byte[] bytes;
    try (InputStream in = source.getFileSystem(hadoop).open(source)) {
      bytes = in.readAllBytes();
    }
    Checkpoint checkpoint = Checkpoint.read(new ByteArrayInputStream(bytes), source.toString());
    long seed = config.seed() >= 0 ? config.seed() : resolved.config().seed();
    Generation generation = new Generation(seed, config.weights() == SampleConfig.Weights.EMA, config.classLabel(),
        config.options(), config.batchSize());
    int classes = checkpoint.modelConfig().numClasses();
    generation.labels(classes, 0, 1); // validates class-label before any work

    Path target = new Path(config.output());
    FileSystem fs = target.getFileSystem(hadoop);
    String runId = StagedDirectory.newRunId();
    int partitions = config.partitions() > 0 ? config.partitions()
        : (int) Math.min(config.count(), Math.max(sc.defaultParallelism(), (config.count() + 255) / 256));
    LOG.info("sample: {} images from {} (step {}, {} weights), seed {}, {} partitions, as {} to {}", config.count(),
        source, checkpoint.metadata().step(), config.weights(), seed, partitions, config.format(), target);
    try (StagedDirectory staged = StagedDirectory.begin(fs, target, config.overwrite(), runId)) {
      sc.setJobDescription("sample: " + config.count() + " images from step " + checkpoint.metadata().step());
      JavaRDD<ImageBlock> blocks = generation.generate(sc, bytes, config.count(), partitions);
      switch (config.format()) {
        case PNG -> writePngs(blocks, staged.path(), new SerializableHadoopConf(hadoop));
        case NPY -> writeNpy(fs, blocks.collect(), staged.path());
        case GRID -> writeGrid(fs, blocks.collect(), staged.path(), classes);
      }
      if (classes > 0 && config.format() != SampleConfig.Format.GRID) {
        int[] labels = generation.labels(classes, 0, Math.toIntExact(config.count()));
        try (OutputStream out = fs.create(new Path(staged.path(), "labels.npy"), false)) {
          NpyWriter.header(out, "<i4", labels.length);
          NpyWriter.int32(out, labels);
        }
      }
      HadoopFiles.write(fs, new Path(staged.path(), "sample.json"), provenance(source, checkpoint, seed));
      staged.commit();
    }
    LOG.info("sample: wrote {}", fs.makeQualified(target));
    return fs.makeQualified(target);
  }

  private static void writePngs(JavaRDD<ImageBlock> blocks, Path dir, SerializableHadoopConf hadoop) {
    String directory = dir.toString();
    blocks.foreach(block -> {
      FileSystem fs = new Path(directory).getFileSystem(hadoop.get());
      for (int i = 0; i < block.images().size(); i++) {
        try (OutputStream out = fs.create(new Path(directory, pngName(block.first() + i)), true)) {
          out.write(ImageCodec.encodePng(block.images().get(i)));
        }
      }
    });
  }

  /** The file name of image i in PNG output: its index, zero-padded so names sort in index order. */
  public static String pngName(long index) {
    return String.format("%09d.png", index);
  }

  private static void writeNpy(FileSystem fs, List<ImageBlock> blocks, Path dir) throws IOException {
    RawImage first = blocks.get(0).images().get(0);
    long n = blocks.stream().mapToLong(b -> b.images().size()).sum();
    try (OutputStream out = fs.create(new Path(dir, "images.npy"), false)) {
      NpyWriter.header(out, "|u1", n, first.height(), first.width(), first.channels());
      for (ImageBlock block : blocks) {
        for (RawImage image : block.images()) {
          out.write(image.pixels());
        }
      }
    }
  }

  private static void writeGrid(FileSystem fs, List<ImageBlock> blocks, Path dir, int classes) throws IOException {
    List<RawImage> images = new ArrayList<>();
    blocks.forEach(b -> images.addAll(b.images()));
    int columns = classes > 0 ? classes : (int) Math.ceil(Math.sqrt(images.size()));
    HadoopFiles.write(fs, new Path(dir, "grid.png"), ImageCodec.encodePng(ImageGrid.tile(images, columns, 2, 255)));
  }

  private byte[] provenance(Path source, Checkpoint checkpoint, long seed) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("checkpoint", source.toString());
    out.put("step", checkpoint.metadata().step());
    out.put("family", checkpoint.metadata().family());
    out.put("count", config.count());
    out.put("seed", seed);
    out.put("weights", config.weights().name().toLowerCase(java.util.Locale.ROOT));
    out.put("classLabel", config.classLabel());
    out.put("options", config.options());
    out.put("format", config.format().name().toLowerCase(java.util.Locale.ROOT));
    out.put("checkpointProvenance", checkpoint.metadata().provenance());
    out.put("provenance", Provenance.of(resolved.hash(), checkpoint.metadata().provenance().dataManifestHash(), "", seed));
    return Configs.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(out).getBytes(StandardCharsets.UTF_8);
  }
}
