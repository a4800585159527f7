package io.sparkgen.bench.dl4j;

import io.sparkgen.jobs.bench.BenchContext;
import io.sparkgen.jobs.bench.Benchmark;
import io.sparkgen.jobs.bench.Measurement;
import io.sparkgen.jobs.bench.Tables;
import io.sparkgen.jobs.shard.ShardImages;
import io.sparkgen.jobs.train.AveragedState;
import io.sparkgen.jobs.train.ModelSpec;
import io.sparkgen.jobs.train.ParameterAveraging;
import io.sparkgen.jobs.train.StateSum;
import io.sparkgen.jobs.train.TrainJobConfig;
import io.sparkgen.model.Batch;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.random.Seeds;
import io.sparkgen.model.train.ImageDataset;
import io.sparkgen.model.train.LocalTrainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Issue 4's baseline: the DCGAN discriminator as a classifier ({@link ClassifierConfig}) trained for
 * the same rounds on the same images by DL4J Spark's ParameterAveragingTrainingMaster (a
 * {@link SparkDl4jMultiLayer}) and by sparkgen's {@link ParameterAveraging} (the
 * {@link ClassifierFamily} under the common LocalTrainer): images/s, seconds per averaging round and
 * their ratio on the session's master, one worker per default-parallelism slot. Both use sparkgen
 * train's default batch size and averaging frequency.
 *
 * <p>Data: each worker's shard holds rounds x frequency x batch synthetic 28x28 images whose label k
 * sets their brightness band, so both models learn and their mean training losses can be compared.
 * Built once per session (DL4J's export of the data set RDD falls in the warmup run).
 */
public final class Dl4jBaselineBenchmark implements Benchmark {

  static final String ROUNDS = "rounds";
  static final String BATCH_SIZE = "batch-size";
  static final String AVERAGING_FREQUENCY = "averaging-frequency";
  static final String DL4J_APPROACH = "dl4j-approach";

  private static final long DATA_STREAM = Seeds.fnv1a64("dl4j-baseline/data");
  /**
   * DL4J's default storage level for training data; the data set RDD is persisted at it, because the
   * direct approach persists its input again and Spark refuses a second, different level.
   */
  private static final StorageLevel DL4J_DATA_LEVEL = StorageLevel.MEMORY_ONLY_SER();

  /** What every run reuses: the data in both forms, DL4J's training master (it caches its export). */
  private Setup setup;

  @Override
  public String name() {
    return "dl4j-baseline";
  }

  @Override
  public String description() {
    return "the DCGAN discriminator as a 10-way classifier, parameter-averaged by DL4J Spark and by sparkgen: "
        + "images/s, s/round, ratio";
  }

  @Override
  public List<Parameter> parameters() {
    TrainJobConfig train = TrainJobConfig.defaults();
    return List.of(
        new Parameter(ROUNDS, "4", "averaging rounds timed per run"),
        new Parameter(BATCH_SIZE, Integer.toString(train.batchSize()),
            "images per local step (DL4J's batchSizePerWorker); default: sparkgen train's"),
        new Parameter(AVERAGING_FREQUENCY, Integer.toString(train.averagingFrequency()),
            "local steps between averagings (DL4J's averagingFrequency); default: sparkgen train's"),
        new Parameter(DL4J_APPROACH, "export",
            "DL4J's RDDTrainingApproach: export (its default: data set files, written once) or direct"));
  }

  @Override
  public Optional<String> skipReason(BenchContext context) {
    settings(context);
    return Optional.empty();
  }

  @Override
  public List<Measurement> run(BenchContext context) {
    Settings s = settings(context);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(context.spark().sparkContext());
    int workers = sc.defaultParallelism();
    if (setup == null || !setup.matches(sc, s, workers)) {
      if (setup != null) {
        setup.release();
      }
      setup = Setup.create(sc, context, s, workers);
    }
    long imagesPerRound = (long) workers * s.batch() * s.frequency();

    // DL4J: one fit() over the data set RDD is `rounds` averaging rounds.
    MultiLayerNetwork dl4jNet = new MultiLayerNetwork(Dl4jClassifier.configuration(setup.model, context.seed()));
    dl4jNet.init();
    long dl4jParams = dl4jNet.numParams();
    SparkDl4jMultiLayer dl4j = new SparkDl4jMultiLayer(sc, dl4jNet, setup.master);
    long cpu = processCpuNanos();
    long started = context.nanoTime();
    dl4j.fit(setup.dataSets);
    double dl4jSeconds = (context.nanoTime() - started) / 1e9;
    double dl4jCpuSeconds = (processCpuNanos() - cpu) / 1e9;
    double dl4jLoss = dl4j.getScore();

    // sparkgen: the same rounds through ParameterAveraging, from a fresh model.
    AveragedState state = setup.initial;
    StateSum last = null;
    cpu = processCpuNanos();
    started = context.nanoTime();
    for (int r = 0; r < s.rounds(); r++) {
      last = ParameterAveraging.round(sc, setup.shards, setup.spec, setup.manifestHash, state, s.frequency());
      state = last.mean(state.step() + s.frequency());
    }
    double sparkgenSeconds = (context.nanoTime() - started) / 1e9;
    double sparkgenCpuSeconds = (processCpuNanos() - cpu) / 1e9;
    double sparkgenLoss = last.meanMetrics().get("loss");
    if (!Double.isFinite(dl4jLoss) || !Double.isFinite(sparkgenLoss)) {
      throw new IllegalStateException("training diverged: DL4J loss " + dl4jLoss + ", sparkgen loss " + sparkgenLoss);
    }
    if (dl4jParams != setup.sparkgenParams) {
      throw new IllegalStateException("the two models differ: DL4J has " + dl4jParams + " parameters, sparkgen "
          + setup.sparkgenParams);
    }

    double images = (double) imagesPerRound * s.rounds();
    double dl4jRate = images / dl4jSeconds;
    double sparkgenRate = images / sparkgenSeconds;
    String workload = String.format(Locale.ROOT, "%d workers x %d steps x batch %d per round, %d rounds, %d parameters",
        workers, s.frequency(), s.batch(), s.rounds(), dl4jParams);
    List<Measurement> out = new ArrayList<>();
    out.add(new Measurement("dl4j images", dl4jRate, "images/s", "SparkDl4jMultiLayer.fit, "
        + "ParameterAveragingTrainingMaster (" + s.approach() + "), " + workload));
    out.add(new Measurement("dl4j round", dl4jSeconds / s.rounds(), "s", "fit() wall time / rounds"));
    out.add(new Measurement("sparkgen images", sparkgenRate, "images/s", "ParameterAveraging.round, " + workload));
    out.add(new Measurement("sparkgen round", sparkgenSeconds / s.rounds(), "s", "round + mean, wall time"));
    out.add(new Measurement("sparkgen vs dl4j", sparkgenRate / dl4jRate, "x", "sparkgen images/s / DL4J images/s"));
    if (sc.isLocal()) {
      // CPU time of this JVM (all threads: ND4J, Spark, GC; a local master's executors run in it):
      // steadier than wall time on a shared machine.
      double dl4jPerCpu = images / dl4jCpuSeconds;
      double sparkgenPerCpu = images / sparkgenCpuSeconds;
      out.add(new Measurement("dl4j images per cpu-s", dl4jPerCpu, "images/cpu-s", "process CPU time of the fit"));
      out.add(new Measurement("sparkgen images per cpu-s", sparkgenPerCpu, "images/cpu-s",
          "process CPU time of the rounds"));
      out.add(new Measurement("sparkgen vs dl4j per cpu-s", sparkgenPerCpu / dl4jPerCpu, "x",
          "sparkgen images/cpu-s / DL4J images/cpu-s"));
    }
    double flops = setup.flopsPerImage;
    out.add(new Measurement("dl4j achieved", dl4jRate * flops / 1e9, "GFLOP/s",
        Tables.number(flops) + " training flops per image (ClassifierNetwork#trainingFlopsPerImage)"));
    out.add(new Measurement("sparkgen achieved", sparkgenRate * flops / 1e9, "GFLOP/s", "same count"));
    out.add(new Measurement("dl4j loss", dl4jLoss, "nats", "SparkDl4jMultiLayer.getScore after the fit"));
    out.add(new Measurement("sparkgen loss", sparkgenLoss, "nats", "mean step loss of the last round"));
    return out;
  }

  /** CPU time of this JVM, all threads; executors of local[N] masters run inside it. */
  private static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    throw new IllegalStateException("this JVM does not report its process CPU time");
  }

  private static Settings settings(BenchContext context) {
    int rounds = one(context, ROUNDS);
    int batch = one(context, BATCH_SIZE);
    int frequency = one(context, AVERAGING_FREQUENCY);
    String approach = context.param(DL4J_APPROACH).trim().toLowerCase(Locale.ROOT);
    if (!approach.equals("export") && !approach.equals("direct")) {
      throw new IllegalArgumentException(context.option(DL4J_APPROACH) + ": must be export or direct");
    }
    return new Settings(rounds, batch, frequency, approach);
  }

  private static int one(BenchContext context, String name) {
    List<Integer> values = context.positiveInts(name);
    if (values.size() != 1) {
      throw new IllegalArgumentException(context.option(name) + ": give one value");
    }
    return values.get(0);
  }

  record Settings(int rounds, int batch, int frequency, String approach) {}

  /** The data of one session in both forms, the sparkgen model spec and its initial state, DL4J's master. */
  private static final class Setup {
    final Settings settings;
    final int workers;
    final ClassifierConfig model = ClassifierConfig.defaults();
    final JavaRDD<ShardImages> shards;
    final JavaRDD<DataSet> dataSets;
    final String manifestHash;
    final ModelSpec spec;
    final AveragedState initial;
    final long sparkgenParams;
    final double flopsPerImage;
    final ParameterAveragingTrainingMaster master;

    private Setup(Settings settings, int workers, JavaRDD<ShardImages> shards, JavaRDD<DataSet> dataSets,
        String manifestHash, ModelSpec spec, AveragedState initial, long sparkgenParams, double flopsPerImage,
        ParameterAveragingTrainingMaster master) {
      this.settings = settings;
      this.workers = workers;
      this.shards = shards;
      this.dataSets = dataSets;
      this.manifestHash = manifestHash;
      this.spec = spec;
      this.initial = initial;
      this.sparkgenParams = sparkgenParams;
      this.flopsPerImage = flopsPerImage;
      this.master = master;
    }

    static Setup create(JavaSparkContext sc, BenchContext context, Settings s, int workers) {
      long seed = context.seed();
      ClassifierConfig model = ClassifierConfig.defaults();
      int perShard = s.rounds() * s.frequency() * s.batch();
      List<ShardImages> list = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        list.add(syntheticShard(w, perShard, model, Seeds.derive(seed, DATA_STREAM, w)));
      }
      JavaRDD<ShardImages> shards = sc.parallelize(list, workers).persist(StorageLevel.MEMORY_ONLY());
      String manifestHash = "synthetic:dl4j-baseline:" + seed + ":" + workers + "x" + perShard;
      int batch = s.batch();
      int classes = model.numClasses();
      JavaRDD<DataSet> dataSets = shards.flatMap(shard -> toDataSets(shard, manifestHash, batch, classes).iterator())
          .persist(DL4J_DATA_LEVEL);
      long count = dataSets.count();
      if (count != (long) workers * s.rounds() * s.frequency()) {
        throw new IllegalStateException(count + " DL4J minibatches, expected " + workers * s.rounds() * s.frequency());
      }

      TrainJobConfig train = TrainJobConfig.defaults();
      ModelSpec spec = new ModelSpec(ClassifierFamily.ID, "{}", seed, batch, Long.MAX_VALUE, train.emaHalfLifeImages());
      GenerativeModel built = spec.build();
      LocalTrainer driver = new LocalTrainer(built, spec.trainConfig(), list.get(0).toDataset(manifestHash), 0L, 0L);
      AveragedState initial = AveragedState.of(driver);

      ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(batch)
          .batchSizePerWorker(batch)
          .averagingFrequency(s.frequency())
          .rngSeed(seed)
          .rddTrainingApproach(s.approach().equals("direct") ? RDDTrainingApproach.Direct : RDDTrainingApproach.Export)
          .exportDirectory(context.scratch().resolve("dl4j-export").toUri().toString())
          .storageLevel(DL4J_DATA_LEVEL)
          .collectTrainingStats(false)
          .build();
      return new Setup(s, workers, shards, dataSets, manifestHash, spec, initial, built.network().parameters().length(),
          built.network().trainingFlopsPerImage(), master);
    }

    /** Built for this SparkContext (a later session has a new one) and these settings. */
    boolean matches(JavaSparkContext sc, Settings s, int w) {
      return shards.context() == sc.sc() && settings.equals(s) && workers == w;
    }

    void release() {
      dataSets.unpersist(false);
      shards.unpersist(false);
    }
  }

  /** {@code n} images whose label k draws every pixel uniformly from the k-th of 10 brightness bands. */
  static ShardImages syntheticShard(int index, int n, ClassifierConfig model, long seed) {
    Rng rng = new Rng(seed);
    int size = model.image().height() * model.image().width() * model.image().channels();
    int classes = model.numClasses();
    String[] ids = new String[n];
    int[] labels = new int[n];
    byte[] pixels = new byte[n * size];
    for (int i = 0; i < n; i++) {
      ids[i] = "synthetic-" + index + "-" + i;
      labels[i] = rng.nextInt(classes);
      int low = labels[i] * 256 / classes;
      int high = (labels[i] + 1) * 256 / classes;
      for (int p = 0; p < size; p++) {
        pixels[i * size + p] = (byte) (low + rng.nextInt(high - low));
      }
    }
    return new ShardImages(index, model.image().height(), model.image().width(), model.image().channels(), ids,
        labels, pixels);
  }

  /** The shard's images, as sparkgen's trainers see them ([-1, 1], NCHW), in DL4J minibatches of {@code batch}. */
  static List<DataSet> toDataSets(ShardImages shard, String manifestHash, int batch, int classes) {
    ImageDataset data = shard.toDataset(manifestHash);
    List<DataSet> out = new ArrayList<>();
    for (int from = 0; from < data.size(); from += batch) {
      int to = Math.min(data.size(), from + batch);
      int[] labels = java.util.Arrays.copyOfRange(data.labels(), from, to);
      out.add(new DataSet(data.images().get(NDArrayIndex.interval(from, to)).dup().castTo(DataType.FLOAT),
          Batch.oneHot(labels, classes, DataType.FLOAT)));
    }
    return out;
  }
}
