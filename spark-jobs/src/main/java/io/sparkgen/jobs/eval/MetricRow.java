package io.sparkgen.jobs.eval;

import java.io.Serializable;

/**
 * One number of the metrics table with everything needed to trust and compare it
 * (notebooks/SCHEMA.md documents the columns). A number is comparable with another only when
 * metric, extractor hash, protocol, split and N agree.
 *
 * @param run run name (the run directory's last path element)
 * @param runDir the run directory URI
 * @param family generator family
 * @param step checkpoint step (0 for a metric of real data alone)
 * @param imagesSeen training images seen at that step
 * @param metric e.g. fid, kid, swd-features, precision, recall, bits-per-dim
 * @param value the value
 * @param std its standard deviation where the metric has one (KID over subsets), else NaN
 * @param nReal real images used (0 where none)
 * @param nFake generated images used (0 where none)
 * @param extractor feature extractor id, or "none" for metrics on pixels or likelihoods
 * @param extractorHash SHA-256 of the extractor's weights and architecture ("" for none)
 * @param protocol how images reached the metric (resize, range, channels, sampler options)
 * @param split the real split compared against (test or train)
 * @param seed sampling seed of the generated images
 * @param configHash hash of the evaluation's resolved config
 * @param dataManifestHash shard-set hash of the real data
 * @param checkpointConfigHash the checkpoint's own config hash (its training run's identity)
 * @param sparkgenVersion sparkgen version that computed it
 * @param evaluationId id of the evaluation run that wrote the row
 * @param createdAt UTC ISO-8601 time of computation
 */
public record MetricRow(String run, String runDir, String family, long step, long imagesSeen, String metric, double value,
    double std, long nReal, long nFake, String extractor, String extractorHash, String protocol, String split, long seed,
    String configHash, String dataManifestHash, String checkpointConfigHash, String sparkgenVersion, String evaluationId,
    String createdAt) implements Serializable {}
