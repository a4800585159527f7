package io.sparkgen.model.random;

import java.nio.charset.StandardCharsets;

/**
 * Derives every seed of a run from one master seed, so that what a step or an image sees depends
 * only on its coordinates (round, partition, step; image index), never on the order work was done
 * in. Spark recomputes lost partitions; this makes a recomputation draw the same numbers.
 *
 * <p>The mixing function is SplitMix64's finaliser (Steele, Lea &amp; Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014), a bijection on 64-bit words with full avalanche.
 * {@code derive(seed, k1, k2, ...)} folds the keys in order: {@code s = mix(seed); s = mix(s ^
 * mix(k + GAMMA))} for each key. The stream codes below are fixed numbers, not enum ordinals, so
 * reordering code never changes a derived seed.
 */
public final class Seeds {

  /** SplitMix64's increment, the odd integer closest to 2^64 / golden ratio. */
  public static final long GAMMA = 0x9E3779B97F4A7C15L;

  /** Independent purposes a seed is drawn for; each has a fixed code. */
  public enum Stream {
    /** Parameter initialisation, then per parameter name. */
    INIT(1),
    /** One training step: (round, partition, step). */
    STEP(2),
    /** Data order of one epoch: (round, partition, epoch). */
    DATA(3),
    /** The latent of one sampled image: (image index). */
    SAMPLE(4);

    final long code;

    Stream(long code) {
      this.code = code;
    }
  }

  private Seeds() {}

  /** SplitMix64's output function (variant 13 of Stafford's mixers). */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The seed for the ordered keys under {@code seed}; equal inputs give equal seeds on every JVM. */
  public static long derive(long seed, long... keys) {
    long s = mix(seed);
    for (long k : keys) {
      s = mix(s ^ mix(k + GAMMA));
    }
    return s;
  }

  /** Seed of parameter initialisation for one named parameter. */
  public static long forParameter(long masterSeed, String name) {
    return derive(masterSeed, Stream.INIT.code, fnv1a64(name));
  }

  /** Seed of one training step. */
  public static long forStep(long masterSeed, long round, long partition, long step) {
    return derive(masterSeed, Stream.STEP.code, round, partition, step);
  }

  /** Seed of the data permutation of one epoch on one partition. */
  public static long forEpoch(long masterSeed, long round, long partition, long epoch) {
    return derive(masterSeed, Stream.DATA.code, round, partition, epoch);
  }

  /** Seed of the latent of sampled image {@code index}: the same whatever the partitioning. */
  public static long forImage(long samplingSeed, long index) {
    return derive(samplingSeed, Stream.SAMPLE.code, index);
  }

  /** FNV-1a, 64 bit, over UTF-8: a stable hash of a name (Fowler, Noll, Vo). */
  public static long fnv1a64(String text) {
    long h = 0xCBF29CE484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xFF);
      h *= 0x100000001B3L;
    }
    return h;
  }
}
