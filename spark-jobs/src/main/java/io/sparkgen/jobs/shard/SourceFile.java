package io.sparkgen.jobs.shard;

import java.io.Serializable;

/**
 * A file of the input collection.
 *
 * @param uri fully qualified Hadoop URI
 * @param name path relative to the input path it was found under (the stable part of image ids)
 * @param bytes file length
 */
public record SourceFile(String uri, String name, long bytes) implements Serializable {}
