package io.lmadvisor.embedded;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Option checks that need no broker (surefire runs this; the *IT classes need a real broker). */
class EmbeddedKafkaBrokerBuilderTest {

    @Test
    void rejectsBadOptions() {
        EmbeddedKafkaBroker.Builder b = EmbeddedKafkaBroker.builder();
        assertThrows(IllegalArgumentException.class, () -> b.port(-1));
        assertThrows(IllegalArgumentException.class, () -> b.port(70_000));
        assertThrows(IllegalArgumentException.class, () -> b.partitions(0));
        assertThrows(IllegalArgumentException.class, () -> b.startupTimeout(Duration.ZERO));
        assertThrows(NullPointerException.class, () -> b.brokerProperty("x", null));
    }

    @Test
    void unstartedBrokerIsNotRunningAndCloseIsHarmless() {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build();
        assertFalse(broker.isRunning());
        assertThrows(IllegalStateException.class, broker::bootstrapServers);
        assertThrows(IllegalStateException.class, broker::dataDir);
        broker.close();
        broker.close();
    }
}
