package io.lmadvisor.streams.serving;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * Kafka Streams tags a store's metrics by the store's type ({@code rocksdb.state.id}, {@code in.memory.state.id},
 * …) under one metric name, while Prometheus needs one set of tag keys per name: the second store type's meters
 * were refused with a WARN. This filter gives every store one {@code state.id} tag and its type in {@code
 * store.type}.
 */
final class StoreMetricTags implements MeterFilter {
    static final String STATE_METRICS = "kafka.stream.state";
    private static final String SUFFIX = ".state.id";

    @Override
    public Meter.Id map(Meter.Id id) {
        if (!id.getName().startsWith(STATE_METRICS)) {
            return id;
        }
        List<Tag> tags = new ArrayList<>();
        boolean changed = false;
        for (Tag t : id.getTagsAsIterable()) {
            String key = t.getKey();
            if (key.endsWith(SUFFIX) && key.length() > SUFFIX.length()) {
                tags.add(Tag.of("state.id", t.getValue()));
                tags.add(Tag.of("store.type", key.substring(0, key.length() - SUFFIX.length())));
                changed = true;
            } else {
                tags.add(t);
            }
        }
        return changed ? id.replaceTags(tags) : id;
    }
}
