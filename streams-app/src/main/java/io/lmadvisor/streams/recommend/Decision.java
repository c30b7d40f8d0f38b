package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.MigrationRecommendation;

import java.util.List;

/** What one profile yields: the recommendation and the risks present right now. */
public record Decision(MigrationRecommendation recommendation, List<Risk> risks) {
}
