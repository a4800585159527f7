package io.sparkgen.jobs.shard;

import io.sparkgen.jobs.config.ConfigBinder;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.fs.Failpoints;
import io.sparkgen.jobs.fs.SerializableHadoopConf;
import io.sparkgen.jobs.fs.StagedDirectory;
import io.sparkgen.jobs.image.ImagePipeline;
import io.sparkgen.jobs.image.RawImage;
import io.sparkgen.jobs.spark.StageClock;
import io.sparkgen.model.provenance.Hashes;
import io.sparkgen.model.provenance.Provenance;
import io.sparkgen.model.provenance.Versions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * {@code sparkgen shard}: an image collection in, train and test Parquet shards plus
 * {@code manifest.json} out. Stages: list, digest, decode, validate, shuffle into shards (by id
 * hash, rows sorted by id, so the output does not depend on the input's partitioning), statistics,
 * write into a hidden staging directory, commit by rename.
 */
public final class ShardJob {

  private static final Logger LOG = LoggerFactory.getLogger(ShardJob.class);

  /** Columns of every shard. */
  public static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.StringType, false)
      .add("label", DataTypes.IntegerType, false)
      .add("height", DataTypes.IntegerType, false)
      .add("width", DataTypes.IntegerType, false)
      .add("channels", DataTypes.IntegerType, false)
      .add("pixels", DataTypes.BinaryType, false);

  private static final int MAX_LISTED_FILES = 10_000;
  private static final long MB = 1L << 20;

  private final SparkSession spark;
  private final ResolvedConfig resolved;
  private final ShardConfig config;

  public ShardJob(SparkSession spark, ResolvedConfig resolved) {
    this.spark = spark;
    this.resolved = resolved;
    this.config = resolved.config().shard();
  }

  /** Runs the job; returns the committed manifest. */
  public ShardManifest run() throws IOException {
    long started = System.nanoTime();
    String runId = StagedDirectory.newRunId();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = sc.hadoopConfiguration();
    // Planned shares of the work: list, digest, decode, validate, shuffle, write, commit.
    StageClock clock = new StageClock("shard", LOG, new double[] {0.02, 0.08, 0.30, 0.01, 0.30, 0.27, 0.02});

    Path target = new Path(config.output());
    // Fail before the work, not after it; begin() checks again when it stages.
    StagedDirectory.checkTarget(target.getFileSystem(hadoop), target, config.overwrite());

    // 1. list
    CollectionReader reader = CollectionReader.of(config.input());
    InputListing listing = InputListing.list(config.input().paths(), reader::accepts, hadoop);
    String format = ConfigBinder.enumValue(config.input().format());
    if (listing.files().isEmpty()) {
      throw new BadInputException("empty input: no " + format + " files under " + config.input().paths()
          + (listing.ignored().isEmpty() ? "" : "; " + listing.ignored().size() + " other files were ignored, e.g. "
              + listing.ignored().get(0)));
    }
    listing.ignored().stream().limit(config.maxBadExamples())
        .forEach(f -> LOG.warn("ignored: {} is not a {} input file", f, format));
    clock.stage("list", String.format("%d %s files, %.1f MB (%d other files ignored)",
        listing.files().size(), format, listing.totalBytes() / (double) MB, listing.ignored().size()));

    // 2. digest the input files
    sc.setJobDescription("shard: digest " + listing.files().size() + " input files");
    Broadcast<SerializableHadoopConf> conf = sc.broadcast(new SerializableHadoopConf(hadoop));
    List<ShardManifest.SourceDigest> digests = digest(sc, listing, conf);
    if (!config.skipFilesIn().isBlank()) {
      Set<String> known = DataVersion.open(config.skipFilesIn(), hadoop).sourcesBySha256().keySet();
      List<ShardManifest.SourceDigest> fresh = digests.stream().filter(d -> !known.contains(d.sha256())).toList();
      LOG.info("shard: {} of {} input files are already in {}; sharding the {} new ones", digests.size() - fresh.size(),
          digests.size(), config.skipFilesIn(), fresh.size());
      if (fresh.isEmpty()) {
        throw new NothingNewException("no new input: all " + digests.size() + " files under " + config.input().paths()
            + " are already in " + config.skipFilesIn());
      }
      Set<String> freshUris = fresh.stream().map(ShardManifest.SourceDigest::uri).collect(Collectors.toSet());
      listing = new InputListing(listing.files().stream().filter(f -> freshUris.contains(f.uri())).toList(),
          listing.ignored());
      digests = fresh;
    }
    String sourceSha = combine(digests);
    clock.stage("digest", "source sha256 " + sourceSha.substring(0, 16) + "…");

    // 3. decode
    sc.setJobDescription("shard: decode");
    ShardConfig.Image geometry = config.image();
    ImagePipeline pipeline = new ImagePipeline(geometry.channels(), geometry.height(), geometry.width(), geometry.resize());
    JavaRDD<Decoded> decoded = reader.read(spark, listing, pipeline, conf).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      return shardDecoded(sc, runId, started, clock, listing, digests, sourceSha, reader, decoded, hadoop);
    } finally {
      decoded.unpersist(false);
    }
  }

  private ShardManifest shardDecoded(JavaSparkContext sc, String runId, long started, StageClock clock,
      InputListing listing, List<ShardManifest.SourceDigest> digests, String sourceSha, CollectionReader reader,
      JavaRDD<Decoded> decoded, Configuration hadoop) throws IOException {
    int maxExamples = config.maxBadExamples();
    DecodeSummary summary = decoded.treeAggregate(new DecodeSummary(maxExamples), DecodeSummary::add, DecodeSummary::merge);
    String shape = summary.majorityShape();
    clock.stage("decode", String.format("%d images, %d bad, shapes %s", summary.images, summary.bad, summary.imagesByShape));

    // 4. validate: one shape for the whole collection
    List<Decoded.Bad> bad = new ArrayList<>(summary.firstExamples());
    Map<String, Long> badByReason = summary.badByCategory();
    if (shape == null) {
      throw new BadInputException("empty input: none of the " + listing.files().size() + " files under "
          + config.input().paths() + " holds a usable image" + describe(bad, summary.bad));
    }
    long mismatched = summary.images - summary.imagesByShape.get(shape);
    if (mismatched > 0) {
      String expected = shape;
      sc.setJobDescription("shard: list images not of shape " + shape);
      List<Decoded.Bad> wrong = decoded
          .filter(d -> d instanceof Decoded.Image i && !i.image().shape().equals(expected))
          .map(d -> shapeMismatch(((Decoded.Image) d).id(), ((Decoded.Image) d).image().shape(), expected))
          .takeOrdered(maxExamples, (Comparator<Decoded.Bad> & java.io.Serializable) (a, b) -> a.where().compareTo(b.where()));
      summary.imagesByShape.forEach((other, count) -> {
        if (!other.equals(expected)) {
          badByReason.merge(shapeMismatch("", other, expected).category(), count, Long::sum);
        }
      });
      bad.addAll(wrong);
      bad.sort(Comparator.comparing(Decoded.Bad::where));
    }
    long badCount = summary.bad + mismatched;
    reportBad(bad, badCount);
    if (badCount > 0 && config.onBadInput() == OnBadInput.FAIL) {
      throw new BadInputException(badCount + " bad inputs (shard.on-bad-input = fail; use --on-bad-input=skip to leave them out)"
          + describe(bad, badCount));
    }

    // 5. shard counts and the split
    int[] hwc = parseShapeArray(shape);
    long goodImages = summary.images - mismatched;
    long bytesPerImage = (long) hwc[0] * hwc[1] * hwc[2];
    double fraction = config.split().testFraction();
    long trainBytes = Math.round(goodImages * (1 - fraction)) * bytesPerImage;
    long testBytes = Math.round(goodImages * fraction) * bytesPerImage;
    long targetBytes = config.shards().targetMb() * MB;
    int trainShards = config.shards().train() > 0 ? config.shards().train()
        : (int) Math.max(sc.defaultParallelism(), ceilDiv(trainBytes, targetBytes));
    int testShards = fraction == 0 ? 0 : config.shards().test() > 0 ? config.shards().test()
        : (int) Math.max(1, ceilDiv(testBytes, targetBytes));
    SplitAssigner assigner = new SplitAssigner(fraction, config.split().salt(), trainShards, testShards);
    clock.stage("validate", String.format("%d images of %s, %d bad (%s), %d train + %d test shards",
        goodImages, shape, badCount, config.onBadInput().name().toLowerCase(), trainShards, testShards));

    // 6. shuffle into shards, sorted by id; statistics per shard
    sc.setJobDescription("shard: shuffle into " + assigner.partitions() + " shards and gather statistics");
    String expected = shape;
    JavaPairRDD<String, Decoded.Image> sorted = decoded
        .filter(d -> d instanceof Decoded.Image i && i.image().shape().equals(expected))
        .mapToPair(d -> new Tuple2<>(((Decoded.Image) d).id(), (Decoded.Image) d))
        .repartitionAndSortWithinPartitions(new ShardPartitioner(assigner))
        .persist(StorageLevel.MEMORY_AND_DISK_SER());
    try {
      List<ShardStats> stats = new ArrayList<>(sorted.mapPartitionsWithIndex((index, rows) -> {
        ShardStats s = new ShardStats(index);
        Dedupe unique = new Dedupe(rows, (id, reason) -> s.duplicate(id, reason, maxExamples));
        while (unique.hasNext()) {
          Decoded.Image image = unique.next();
          s.add(image.id(), image.label(), image.image());
        }
        return List.of(s.finish()).iterator();
      }, true).collect());
      stats.sort(Comparator.comparingInt(s -> s.partition));
      long duplicates = stats.stream().mapToLong(s -> s.duplicates).sum();
      if (duplicates > 0) {
        List<Decoded.Bad> dups = stats.stream().flatMap(s -> s.duplicateExamples.stream())
            .sorted(Comparator.comparing(Decoded.Bad::where)).limit(maxExamples).toList();
        stats.forEach(st -> st.duplicatesByReason.forEach((k, v) -> badByReason.merge(k, v, Long::sum)));
        reportBad(dups, duplicates);
        if (config.onBadInput() == OnBadInput.FAIL) {
          throw new BadInputException(duplicates + " duplicate ids (shard.on-bad-input = fail)" + describe(dups, duplicates));
        }
        bad.addAll(dups);
        badCount += duplicates;
      }
      long written = stats.stream().mapToLong(s -> s.count).sum();
      clock.stage("shuffle", String.format("%d rows in %d shards", written, stats.size()));

      // 7. write into staging, then commit
      Path target = new Path(config.output());
      try (StagedDirectory staged = StagedDirectory.begin(target.getFileSystem(hadoop), target, config.overwrite(), runId)) {
        sc.setJobDescription("shard: write " + written + " rows to " + staged.path());
        JavaRDD<Row> rows = sorted.mapPartitions(ShardJob::toRows, true);
        Path parts = new Path(staged.path(), "_parts");
        spark.createDataFrame(rows, SCHEMA).write().mode(SaveMode.ErrorIfExists).option("compression", "snappy")
            // Pixel rows never repeat: trying a dictionary for them only costs time.
            .option("parquet.enable.dictionary#pixels", "false")
            .parquet(parts.toString());
        Failpoints.hit("shard.after-write");
        FileSystem fs = staged.path().getFileSystem(hadoop);
        Map<Integer, FileStatus> files = placeShards(fs, parts, staged.path(), assigner);
        clock.stage("write", String.format("%d shard files, %.1f MB", files.size(),
            files.values().stream().mapToLong(FileStatus::getLen).sum() / (double) MB));

        List<String> classNames = config.input().classNames().isEmpty()
            ? reader.classNames(listing, hadoop) : config.input().classNames();
        ShardManifest manifest = manifest(runId, started, listing, digests, sourceSha, hwc, classNames, stats, files,
            assigner, badCount, badByReason, bad);
        write(fs, new Path(staged.path(), "config.conf"), resolved.render().getBytes(StandardCharsets.UTF_8));
        write(fs, new Path(staged.path(), ShardManifest.FILE_NAME), manifest.toJson());
        Failpoints.hit("shard.before-commit");
        staged.commit();
        clock.stage("commit", "manifest at " + new Path(staged.target(), ShardManifest.FILE_NAME));
        return manifest;
      }
    } finally {
      sorted.unpersist(false);
    }
  }

  /** A shard's rows for Parquet, duplicates dropped exactly as the statistics pass dropped them. */
  private static java.util.Iterator<Row> toRows(java.util.Iterator<Tuple2<String, Decoded.Image>> sortedRows) {
    Dedupe unique = new Dedupe(sortedRows, (id, reason) -> { });
    return new java.util.Iterator<>() {
      @Override
      public boolean hasNext() {
        return unique.hasNext();
      }

      @Override
      public Row next() {
        Decoded.Image d = unique.next();
        RawImage image = d.image();
        return RowFactory.create(d.id(), d.label(), image.height(), image.width(), image.channels(), image.pixels());
      }
    };
  }

  private static List<ShardManifest.SourceDigest> digest(JavaSparkContext sc, InputListing listing,
      Broadcast<SerializableHadoopConf> conf) {
    List<SourceFile> files = listing.files();
    int slices = Math.max(1, Math.min(files.size(), sc.defaultParallelism() * 4));
    List<ShardManifest.SourceDigest> digests = new ArrayList<>(sc.parallelize(files, slices).map(file -> {
      MessageDigest sha = Hashes.sha256();
      Path path = new Path(file.uri());
      byte[] buffer = new byte[1 << 16];
      try (InputStream in = path.getFileSystem(conf.value().get()).open(path)) {
        for (int n; (n = in.read(buffer)) > 0; ) {
          sha.update(buffer, 0, n);
        }
      }
      return new ShardManifest.SourceDigest(file.name(), file.uri(), file.bytes(), Hashes.hex(sha.digest()));
    }).collect());
    digests.sort(Comparator.comparing(ShardManifest.SourceDigest::name).thenComparing(ShardManifest.SourceDigest::uri));
    return digests;
  }

  private static String combine(List<ShardManifest.SourceDigest> digests) {
    MessageDigest sha = Hashes.sha256();
    for (ShardManifest.SourceDigest d : digests) {
      sha.update((d.name() + "\t" + d.bytes() + "\t" + d.sha256() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return Hashes.hex(sha.digest());
  }

  /** Moves Spark's part files (named by partition) to train/shard-NNNNN.parquet and test/shard-NNNNN.parquet. */
  private static Map<Integer, FileStatus> placeShards(FileSystem fs, Path parts, Path dir, SplitAssigner assigner)
      throws IOException {
    Map<Integer, FileStatus> placed = new TreeMap<>();
    fs.mkdirs(new Path(dir, "train"));
    if (assigner.testShards() > 0) {
      fs.mkdirs(new Path(dir, "test"));
    }
    for (FileStatus part : fs.listStatus(parts, p -> p.getName().startsWith("part-"))) {
      String name = part.getPath().getName();
      int partition = Integer.parseInt(name.substring(5, 10));
      if (!name.contains("-c000")) {
        throw new IllegalStateException("partition " + partition + " was written as several files (" + name
            + "); unset spark.sql.files.maxRecordsPerFile");
      }
      Path to = new Path(dir, shardFile(partition, assigner));
      if (!fs.rename(part.getPath(), to)) {
        throw new IOException("cannot move " + part.getPath() + " to " + to);
      }
      placed.put(partition, fs.getFileStatus(to));
    }
    fs.delete(parts, true);
    return placed;
  }

  static String shardFile(int partition, SplitAssigner assigner) {
    return assigner.isTest(partition)
        ? String.format("test/shard-%05d.parquet", partition - assigner.trainShards())
        : String.format("train/shard-%05d.parquet", partition);
  }

  private ShardManifest manifest(String runId, long started, InputListing listing,
      List<ShardManifest.SourceDigest> digests, String sourceSha, int[] hwc, List<String> classNames,
      List<ShardStats> stats, Map<Integer, FileStatus> files, SplitAssigner assigner, long badCount,
      Map<String, Long> badByReason, List<Decoded.Bad> bad) {
    ShardManifest.Split train = split(stats, files, assigner, false, hwc);
    ShardManifest.Split test = split(stats, files, assigner, true, hwc);
    MessageDigest shardSet = Hashes.sha256();
    shardSet.update((hwc[0] + "x" + hwc[1] + "x" + hwc[2] + "\n").getBytes(StandardCharsets.UTF_8));
    for (ShardStats s : stats) {
      shardSet.update((shardFile(s.partition, assigner) + "\t" + s.count + "\t" + s.sha256 + "\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    String shardSetSha = Hashes.hex(shardSet.digest());
    Map<String, String> versions = new TreeMap<>(Versions.all());
    versions.put("spark", spark.version());
    Provenance provenance = new Provenance(resolved.hash(), shardSetSha, "", resolved.config().seed(), versions,
        Instant.now().toString());
    ShardConfig.Input input = config.input();
    ShardManifest.Source source = new ShardManifest.Source(ConfigBinder.enumValue(input.format()), input.paths(),
        digests.size(), listing.totalBytes(), sourceSha,
        digests.size() <= MAX_LISTED_FILES ? digests : List.of(),
        listing.ignored().size(), listing.ignored().stream().limit(config.maxBadExamples()).toList());
    ShardManifest.BadInput badInput = new ShardManifest.BadInput(config.onBadInput().name().toLowerCase(), badCount,
        badByReason, bad.stream().limit(config.maxBadExamples())
            .map(b -> new ShardManifest.Example(b.where(), b.reason())).toList());
    return new ShardManifest(ShardManifest.FORMAT_VERSION, runId, provenance.createdAt(),
        (System.nanoTime() - started) / 1e9, provenance, shardSetSha, source,
        new ShardManifest.Shape(hwc[0], hwc[1], hwc[2], "uint8", "HWC"), classNames, train, test, badInput,
        ConfigBinder.toTree(resolved.config()));
  }

  private static ShardManifest.Split split(List<ShardStats> stats, Map<Integer, FileStatus> files,
      SplitAssigner assigner, boolean test, int[] hwc) {
    int c = hwc[2];
    double[] sum = new double[c];
    double[] sumSquares = new double[c];
    long count = 0;
    TreeMap<Integer, Long> labels = new TreeMap<>();
    List<ShardManifest.Shard> shards = new ArrayList<>();
    for (ShardStats s : stats) {
      if (assigner.isTest(s.partition) != test) {
        continue;
      }
      FileStatus file = files.get(s.partition);
      int index = test ? s.partition - assigner.trainShards() : s.partition;
      shards.add(new ShardManifest.Shard(index, file == null ? null : shardFile(s.partition, assigner), s.count,
          file == null ? 0 : file.getLen(), s.sha256));
      count += s.count;
      s.labels.forEach((k, v) -> labels.merge(k, v, Long::sum));
      for (int k = 0; s.sum != null && k < c; k++) {
        sum[k] += s.sum[k];
        sumSquares[k] += s.sumSquares[k];
      }
    }
    double[] mean = new double[c];
    double[] std = new double[c];
    double n = (double) count * hwc[0] * hwc[1];
    for (int k = 0; k < c && n > 0; k++) {
      double m = sum[k] / n;
      mean[k] = m / 255.0;
      std[k] = Math.sqrt(Math.max(0, sumSquares[k] / n - m * m)) / 255.0;
    }
    return new ShardManifest.Split(count, shards, labels, mean, std);
  }

  private static Decoded.Bad shapeMismatch(String id, String shape, String expected) {
    int[] want = parseShapeArray(expected);
    int[] got = parseShapeArray(shape);
    if (want[2] != got[2]) {
      return new Decoded.Bad(id, "mixed channel count: " + got[2] + " channels where most images have "
          + want[2] + " (set shard.image.channels to grayscale or rgb to convert)");
    }
    return new Decoded.Bad(id, "wrong size: " + got[0] + "x" + got[1] + " where most images are " + want[0]
        + "x" + want[1] + " (set shard.image.height/width and shard.image.resize to resize)");
  }

  private static int[] parseShapeArray(String shape) {
    String[] parts = shape.split("x");
    return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
  }

  private void reportBad(List<Decoded.Bad> bad, long total) {
    for (Decoded.Bad b : bad.subList(0, Math.min(bad.size(), config.maxBadExamples()))) {
      LOG.warn("bad input: {}: {}", b.where(), b.reason());
    }
    if (total > bad.size()) {
      LOG.warn("bad input: … and {} more", total - bad.size());
    }
  }

  private static String describe(List<Decoded.Bad> bad, long total) {
    StringBuilder out = new StringBuilder();
    for (Decoded.Bad b : bad) {
      out.append("\n  ").append(b.where()).append(": ").append(b.reason());
    }
    if (total > bad.size()) {
      out.append("\n  … and ").append(total - bad.size()).append(" more");
    }
    return out.toString();
  }

  private static void write(FileSystem fs, Path path, byte[] bytes) throws IOException {
    try (OutputStream out = fs.create(path, false)) {
      out.write(bytes);
    }
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  /** Every input file is already in the dataset named by shard.skip-files-in. */
  public static final class NothingNewException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public NothingNewException(String message) {
      super(message);
    }
  }
}
