package io.sparkgen.model.nn;

import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Forward passes ({@code SameDiff.output}) in this thread's {@link RecyclingSession}. M2.1's own
 * session keeps the id of every array it ever gave back to its cache for the session's life: about
 * 300 ids per UNet forward pass, so a DDPM sampling run of 1000 steps per batch grew the heap by
 * hundreds of thousands of entries per batch, without bound over an evaluation's many batches. Ours
 * forgets them at the start of each run and knows cached arrays by identity.
 *
 * <p>The returned arrays are the caller's: the session never hands them to its cache.
 */
public final class Forward {

  private Forward() {}

  /** The values of {@code outputs}, by name. */
  public static Map<String, INDArray> run(SameDiff graph, Map<String, INDArray> placeholders, String... outputs) {
    return RecyclingSession.of(graph).run(Backprop.castToGraphTypes(graph, placeholders), List.of(outputs));
  }
}
