package io.lmadvisor.streams.serving;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class StoreMetricTagsTest {
    @Test
    void storesOfBothTypesShareOneMetricName() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new StoreMetricTags());
        Gauge.builder("kafka.stream.state.commit.latency.avg", () -> 1.0)
                .tags("rocksdb.state.id", "vm-windows", "task.id", "0_0")
                .register(registry);
        Gauge.builder("kafka.stream.state.commit.latency.avg", () -> 2.0)
                .tags("in.memory.state.id", "vm-latest-recommendations", "task.id", "2_0")
                .register(registry);

        String scrape = registry.scrape();
        assertTrue(scrape.contains("state_id=\"vm-windows\"") && scrape.contains("store_type=\"rocksdb\""), scrape);
        assertTrue(
                scrape.contains("state_id=\"vm-latest-recommendations\"")
                        && scrape.contains("store_type=\"in.memory\""),
                scrape);
    }
}
