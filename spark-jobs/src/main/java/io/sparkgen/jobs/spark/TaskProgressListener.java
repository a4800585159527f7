package io.sparkgen.jobs.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress inside long Spark stages: at most one line every {@code intervalMillis} with finished
 * tasks, the job's description and an ETA from the task rate. Replaces Spark's console bar, which
 * garbles logs.
 */
public final class TaskProgressListener extends SparkListener {

  private static final Logger LOG = LoggerFactory.getLogger(TaskProgressListener.class);

  private final long intervalMillis;
  private final Map<Integer, long[]> stages = new ConcurrentHashMap<>();
  private final Map<Integer, String> descriptions = new ConcurrentHashMap<>();
  private volatile String description = "";
  private volatile long lastLog;

  public TaskProgressListener(long intervalMillis) {
    this.intervalMillis = intervalMillis;
  }

  @Override
  public void onJobStart(SparkListenerJobStart job) {
    String d = job.properties() == null ? null : job.properties().getProperty("spark.job.description");
    description = d == null ? "job " + job.jobId() : d;
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
    int id = submitted.stageInfo().stageId();
    stages.put(id, new long[] {submitted.stageInfo().numTasks(), 0, System.currentTimeMillis()});
    descriptions.put(id, description);
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted completed) {
    stages.remove(completed.stageInfo().stageId());
    descriptions.remove(completed.stageInfo().stageId());
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    long[] stage = stages.get(end.stageId());
    if (stage == null) {
      return;
    }
    long finished;
    synchronized (stage) {
      finished = ++stage[1];
    }
    long now = System.currentTimeMillis();
    if (now - lastLog >= intervalMillis && finished < stage[0]) {
      lastLog = now;
      double elapsed = (now - stage[2]) / 1000.0;
      double eta = elapsed / finished * (stage[0] - finished);
      LOG.info(String.format("  %s: stage %d, %d/%d tasks, %.0f s, ETA %s", descriptions.getOrDefault(end.stageId(), ""),
          end.stageId(), finished, stage[0], elapsed, Eta.format(eta)));
    }
  }
}
