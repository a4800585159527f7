package io.sparkgen.jobs.retrain;

import io.sparkgen.model.config.Configs;
import io.sparkgen.model.provenance.Hashes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Keeps two retrains of one registry from overlapping. The lock is a file created exclusively
 * (O_EXCL on local disks, create-if-absent on HDFS) naming its owner; the owner proves it is alive
 * with heartbeat files beside it ({@code <lock>.hb-<millis>-<owner>}, a new one before the old is
 * deleted, so one always exists). A lock whose newest heartbeat is older than the timeout was left by
 * a crashed run: the next run renames it to {@code <lock>.stale-<started>} without overwriting — of
 * several runs recovering the same stale lock, exactly one rename succeeds — and takes the lock.
 */
public final class RegistryLock implements AutoCloseable {

  private final FileSystem fs;
  private final Path file;
  private final String owner;
  private final Clock clock;
  private boolean held = true;

  private RegistryLock(FileSystem fs, Path file, String owner, Clock clock) {
    this.fs = fs;
    this.file = file;
    this.owner = owner;
    this.clock = clock;
  }

  /** Takes the lock, recovering a stale one; throws {@link HeldException} naming a live holder. */
  public static RegistryLock acquire(FileSystem fs, Path file, Duration staleAfter, Clock clock) throws IOException {
    String owner = InetAddress.getLocalHost().getHostName() + ":" + ProcessHandle.current().pid() + ":"
        + Long.toHexString(System.nanoTime());
    fs.mkdirs(file.getParent());
    for (int attempt = 0; attempt < 3; attempt++) {
      if (createExclusive(fs, file, content(owner, clock.instant()))) {
        RegistryLock lock = new RegistryLock(fs, file, owner, clock);
        lock.heartbeat();
        return lock;
      }
      Map<String, Object> holder = read(fs, file);
      if (holder == null) {
        continue; // released meanwhile
      }
      if (holder.isEmpty()) {
        throw new HeldException("another retrain is taking " + file + " right now");
      }
      String holderOwner = String.valueOf(holder.get("owner"));
      Instant started = Instant.parse(String.valueOf(holder.get("started")));
      Instant alive = newestHeartbeat(fs, file, holderOwner, started);
      Duration silent = Duration.between(alive, clock.instant());
      if (silent.compareTo(staleAfter) < 0) {
        throw new HeldException("another retrain holds " + file + ": " + holderOwner + ", started " + started
            + ", alive " + silent.toSeconds() + " s ago (stale after " + staleAfter.toSeconds() + " s)");
      }
      if (renameNoOverwrite(fs, file, new Path(file.getParent(), file.getName() + ".stale-" + started.toEpochMilli()))) {
        deleteHeartbeats(fs, file, holderOwner, Long.MAX_VALUE);
      }
    }
    throw new HeldException("another retrain took " + file + " while this one recovered a stale lock");
  }

  /** Records that the owner is alive; fails if the lock is no longer this run's. */
  public void heartbeat() throws IOException {
    Map<String, Object> holder = read(fs, file);
    if (holder == null || !owner.equals(holder.get("owner"))) {
      throw new HeldException("lost the lock " + file + " (now held by "
          + (holder == null ? "nobody" : holder.get("owner")) + "); stopping so that two retrains never write at once");
    }
    long now = clock.millis();
    fs.create(new Path(file.getParent(), heartbeatPrefix(file, owner) + String.format("%015d", now)), true).close();
    deleteHeartbeats(fs, file, owner, now);
  }

  /** The same lock read with another clock (tests move time forward with it). */
  RegistryLock withClock(Clock other) {
    return new RegistryLock(fs, file, owner, other);
  }

  public String owner() {
    return owner;
  }

  @Override
  public void close() throws IOException {
    if (held) {
      held = false;
      Map<String, Object> holder = read(fs, file);
      if (holder != null && owner.equals(holder.get("owner"))) {
        fs.delete(file, false);
      }
      deleteHeartbeats(fs, file, owner, Long.MAX_VALUE);
    }
  }

  private static String heartbeatPrefix(Path file, String owner) {
    return file.getName() + ".hb-" + Hashes.sha256Hex(owner).substring(0, 12) + "-";
  }

  /** The newest heartbeat of {@code owner}, or {@code started} when it has none yet. */
  private static Instant newestHeartbeat(FileSystem fs, Path file, String owner, Instant started) throws IOException {
    String prefix = heartbeatPrefix(file, owner);
    long newest = started.toEpochMilli();
    for (FileStatus f : fs.listStatus(file.getParent(), p -> p.getName().startsWith(prefix))) {
      newest = Math.max(newest, Long.parseLong(f.getPath().getName().substring(prefix.length())));
    }
    return Instant.ofEpochMilli(newest);
  }

  /** Deletes {@code owner}'s heartbeats older than {@code beforeMillis}. */
  private static void deleteHeartbeats(FileSystem fs, Path file, String owner, long beforeMillis) throws IOException {
    String prefix = heartbeatPrefix(file, owner);
    for (FileStatus f : fs.listStatus(file.getParent(), p -> p.getName().startsWith(prefix))) {
      if (Long.parseLong(f.getPath().getName().substring(prefix.length())) < beforeMillis) {
        fs.delete(f.getPath(), false);
      }
    }
  }

  private static boolean isLocal(FileSystem fs) {
    return fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem;
  }

  private static java.nio.file.Path local(FileSystem fs, Path path) {
    return java.nio.file.Path.of(fs.makeQualified(path).toUri());
  }

  private static boolean createExclusive(FileSystem fs, Path file, byte[] content) throws IOException {
    if (isLocal(fs)) {
      // Written aside, then hard-linked into place: the lock appears atomically with its content.
      java.nio.file.Path target = local(fs, file);
      java.nio.file.Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".new");
      try {
        Files.write(tmp, content, StandardOpenOption.WRITE);
        Files.createLink(target, tmp);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    try (OutputStream out = fs.create(file, false)) {
      out.write(content);
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    }
  }

  /** HDFS's rename never replaces a file; on local disks Hadoop's would, so use one that does not. */
  private static boolean renameNoOverwrite(FileSystem fs, Path from, Path to) throws IOException {
    if (isLocal(fs)) {
      try {
        Files.move(local(fs, from), local(fs, to));
        return true;
      } catch (FileAlreadyExistsException | NoSuchFileException e) {
        return false;
      }
    }
    return fs.rename(from, to);
  }

  private static byte[] content(String owner, Instant now) throws IOException {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("owner", owner);
    c.put("started", now.toString());
    return Configs.MAPPER.writeValueAsBytes(c);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> read(FileSystem fs, Path file) throws IOException {
    byte[] bytes;
    try (InputStream in = fs.open(file)) {
      bytes = in.readAllBytes();
    } catch (java.io.FileNotFoundException e) {
      return null;
    }
    // On HDFS a file being created reads empty until its writer closes it.
    return bytes.length == 0 ? Map.of() : Configs.MAPPER.readValue(bytes, Map.class);
  }

  /** The lock is held by a live run. */
  public static final class HeldException extends IOException {
    private static final long serialVersionUID = 1L;

    public HeldException(String message) {
      super(message);
    }
  }
}
