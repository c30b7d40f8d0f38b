package io.lmadvisor.streams.recommend;

import io.lmadvisor.avro.HostSample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The hosts as a decision sees them, read from the global host store again only when the store has changed
 * since ({@code changes} counts its writes, {@link io.lmadvisor.streams.host.ChangeCountingStore}, which says what
 * it does not see): a decision sees what it would have read, without one iteration and one {@link HostState} per
 * host for every profile.
 * One per processor: not thread-safe.
 */
final class HostStatesCache {
    private final AtomicLong changes;
    private long readAt = Long.MIN_VALUE;
    private List<HostState> hosts = List.of();

    HostStatesCache(AtomicLong changes) {
        this.changes = changes;
    }

    List<HostState> get(ReadOnlyKeyValueStore<String, HostSample> store) {
        // Count first: a write during the read leaves a newer count, and the next call reads again.
        long count = changes.get();
        if (count != readAt) {
            List<HostState> out = new ArrayList<>();
            try (KeyValueIterator<String, HostSample> it = store.all()) {
                while (it.hasNext()) {
                    out.add(HostState.of(it.next().value));
                }
            }
            hosts = Collections.unmodifiableList(out);
            readAt = count;
        }
        return hosts;
    }
}
