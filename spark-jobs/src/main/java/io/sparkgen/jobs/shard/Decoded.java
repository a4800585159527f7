package io.sparkgen.jobs.shard;

import io.sparkgen.jobs.image.RawImage;
import java.io.Serializable;

/** What decoding one input item gives: an image, or a bad input with its path and reason. */
public sealed interface Decoded extends Serializable {

  /** A decoded image; {@code label} is -1 when unlabelled. */
  record Image(String id, int label, RawImage image) implements Decoded {}

  /** An input that cannot be used; {@code where} is the file path, with {@code #index} inside a container file. */
  record Bad(String where, String reason) implements Decoded {
    /** The reason up to its first colon: the category counted in the manifest. */
    public String category() {
      int colon = reason.indexOf(':');
      return colon > 0 ? reason.substring(0, colon) : reason;
    }
  }
}
