package io.sparkgen.jobs.shard;

import io.sparkgen.jobs.config.Check;
import io.sparkgen.jobs.config.Doc;
import io.sparkgen.jobs.image.ChannelMode;
import io.sparkgen.jobs.image.ResizeMode;
import java.util.List;

/** Configuration of {@code sparkgen shard}. */
public record ShardConfig(
    @Doc("Where the images come from.") Input input,
    @Doc("Output directory (Hadoop URI or local path); gets train/, test/, manifest.json, config.conf.")
        String output,
    @Doc("Replace an existing output directory (atomically). Without it an existing output is an error.")
        boolean overwrite,
    @Doc("Size and colour of the stored images.") Image image,
    @Doc("The deterministic train/test split.") Split split,
    @Doc("How many Parquet shards each split gets.") Shards shards,
    @Doc("What a bad input does: fail (report all and stop) or skip (report, count in the manifest, go on).")
        OnBadInput onBadInput,
    @Doc("How many bad inputs are listed by path and reason in the log and the manifest.") int maxBadExamples,
    @Doc("A dataset or shard set whose source files are skipped by content (SHA-256): shard only what is new, "
        + "to append it as a new part. Empty: shard every input file.") String skipFilesIn) {

  public ShardConfig {
    Check.that(!output.isBlank(), "output", output, "must name the output directory");
    Check.that(maxBadExamples >= 0, "max-bad-examples", maxBadExamples, "must be >= 0");
  }

  public static ShardConfig defaults() {
    return new ShardConfig(
        Input.defaults(), "data/fashion-mnist", false, Image.defaults(), Split.defaults(), Shards.defaults(),
        OnBadInput.FAIL, 20, "");
  }

  /** The input collection. */
  public record Input(
      @Doc("idx (MNIST/Fashion-MNIST, gz or not), image-folder (PNG/JPEG; class = sub-folder), cifar10 (binary batches), parquet (an image-bytes column).")
          InputFormat format,
      @Doc("Files or directories (Hadoop URIs or local paths). Directories are searched recursively.")
          List<String> paths,
      @Doc("Names of the integer labels, in label order; image-folder takes them from the sub-folders.")
          List<String> classNames,
      @Doc("Columns of parquet input.") ParquetColumns parquet) {

    public Input {
      Check.that(!paths.isEmpty(), "paths", paths, "must name at least one file or directory");
      paths = List.copyOf(paths);
      classNames = List.copyOf(classNames);
    }

    static Input defaults() {
      return new Input(InputFormat.IDX, List.of("/usr/share/datasets/fashion-mnist"), List.of(), ParquetColumns.defaults());
    }
  }

  /** Which columns of a Parquet input hold what. */
  public record ParquetColumns(
      @Doc("Column with the encoded image bytes (PNG/JPEG); a struct field is written image.bytes.")
          String image,
      @Doc("Integer label column; empty: unlabelled (-1).") String label,
      @Doc("Stable id column; empty: the id is the SHA-256 of the image bytes.") String id) {

    public ParquetColumns {
      Check.that(!image.isBlank(), "image", image, "must name the image-bytes column");
    }

    static ParquetColumns defaults() {
      return new ParquetColumns("image", "label", "");
    }
  }

  /** The stored image geometry. */
  public record Image(
      @Doc("Stored height in pixels; 0 keeps the source size (then all images must have the same).") int height,
      @Doc("Stored width in pixels; 0 keeps the source size.") int width,
      @Doc("auto (keep the source's; all images must agree), grayscale (1) or rgb (3).") ChannelMode channels,
      @Doc("none (a size other than height x width is bad input), scale (stretch), center-crop, scale-crop (scale the short side, then center-crop).")
          ResizeMode resize) {

    public Image {
      Check.that(height >= 0, "height", height, "must be >= 0");
      Check.that(width >= 0, "width", width, "must be >= 0");
      Check.that((height == 0) == (width == 0), "height", height, "and width must both be 0 or both be set");
      Check.that(resize == ResizeMode.NONE || height > 0, "resize", resize.name().toLowerCase(), "needs height and width");
    }

    static Image defaults() {
      return new Image(0, 0, ChannelMode.AUTO, ResizeMode.NONE);
    }
  }

  /** The split: an image is in test when the hash of (salt, id) falls below the test fraction. */
  public record Split(
      @Doc("Fraction of images in the test split, in [0, 1).") double testFraction,
      @Doc("Salt of the split hash; change it only to draw a different split.") String salt) {

    public Split {
      Check.that(testFraction >= 0 && testFraction < 1, "test-fraction", testFraction, "must be in [0, 1)");
    }

    static Split defaults() {
      return new Split(0.1, "sparkgen-split-v1");
    }
  }

  /** Shard counts; 0 sizes them for the cluster: at least the default parallelism, at most target-mb each. */
  public record Shards(
      @Doc("Training shards; 0: max(spark default parallelism, size / target-mb).") int train,
      @Doc("Test shards; 0: ceil(size / target-mb).") int test,
      @Doc("Target uncompressed pixel megabytes per shard when a count is 0.") int targetMb) {

    public Shards {
      Check.that(train >= 0, "train", train, "must be >= 0");
      Check.that(test >= 0, "test", test, "must be >= 0");
      Check.that(targetMb > 0, "target-mb", targetMb, "must be > 0");
    }

    static Shards defaults() {
      return new Shards(0, 0, 128);
    }
  }
}
