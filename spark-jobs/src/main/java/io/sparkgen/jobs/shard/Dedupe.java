package io.sparkgen.jobs.shard;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import scala.Tuple2;

/**
 * Drops repeated ids from a shard's id-sorted rows. Repeats of an identical image (same label and
 * pixels, e.g. the same file listed twice) keep one copy; an id shared by different images keeps
 * none, since neither can be trusted. Deterministic, so the stats pass and the write pass agree.
 */
final class Dedupe implements Iterator<Decoded.Image> {

  /** Told about each dropped row. */
  interface Listener {
    void dropped(String id, String reason);
  }

  private final Iterator<Tuple2<String, Decoded.Image>> rows;
  private final Listener listener;
  private Decoded.Image lookahead;
  private Decoded.Image next;

  Dedupe(Iterator<Tuple2<String, Decoded.Image>> rows, Listener listener) {
    this.rows = rows;
    this.listener = listener;
    this.lookahead = rows.hasNext() ? rows.next()._2() : null;
    advance();
  }

  private void advance() {
    next = null;
    while (next == null && lookahead != null) {
      Decoded.Image first = lookahead;
      boolean conflict = false;
      lookahead = rows.hasNext() ? rows.next()._2() : null;
      while (lookahead != null && lookahead.id().equals(first.id())) {
        if (lookahead.label() == first.label() && Arrays.equals(lookahead.image().pixels(), first.image().pixels())) {
          listener.dropped(first.id(), "duplicate: the same image appears more than once");
        } else {
          conflict = true;
          listener.dropped(first.id(), "duplicate id: different images share this id");
        }
        lookahead = rows.hasNext() ? rows.next()._2() : null;
      }
      if (conflict) {
        listener.dropped(first.id(), "duplicate id: different images share this id");
      } else {
        next = first;
      }
    }
  }

  @Override
  public boolean hasNext() {
    return next != null;
  }

  @Override
  public Decoded.Image next() {
    if (next == null) {
      throw new NoSuchElementException();
    }
    Decoded.Image result = next;
    advance();
    return result;
  }
}
