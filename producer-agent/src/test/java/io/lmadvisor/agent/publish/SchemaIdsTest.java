package io.lmadvisor.agent.publish;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.agent.spool.SpoolRecord;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.registry.SchemaRegistryException;
import io.lmadvisor.registry.SchemaRegistryUnavailableException;
import io.lmadvisor.serde.WireFormat;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class SchemaIdsTest {
    private static final Schema THING =
            SchemaBuilder.record("Thing").fields().requiredString("a").endRecord();
    private static final Schema OTHER =
            SchemaBuilder.record("Other").fields().requiredInt("b").endRecord();

    /** A real in-memory registry that is down while {@code down} is set, counting the calls that reach it. */
    private static final class Flaky {
        final AtomicBoolean down = new AtomicBoolean(true);
        final AtomicInteger calls = new AtomicInteger();
        final SchemaRegistry registry;

        Flaky() {
            MockSchemaRegistry real = new MockSchemaRegistry();
            real.register("other-value", OTHER); // so the real id is not the first one
            registry = (SchemaRegistry) Proxy.newProxyInstance(
                    SchemaRegistry.class.getClassLoader(),
                    new Class<?>[] {SchemaRegistry.class},
                    (proxy, method, args) -> {
                        calls.incrementAndGet();
                        if (down.get()) {
                            throw new SchemaRegistryUnavailableException("connection refused", null);
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }

    private static SpoolRecord record(int schemaId) {
        byte[] value = {0, 0, 0, 0, 0, 42, 43};
        WireFormat.writeHeader(value, schemaId);
        return SpoolRecord.of("things", "k", value, 1_000);
    }

    @Test
    void placeholdersAreNegativeAndSwappedForTheRealIdOnceTheRegistryAnswers() {
        Flaky registry = new Flaky();
        AtomicLong now = new AtomicLong(0);
        SchemaIds ids = new SchemaIds(registry.registry, true, now::get);
        int placeholder = ids.placeholders().register("things-value", THING);
        assertTrue(placeholder < 0, "never a real id: " + placeholder);
        assertEquals(placeholder, ids.placeholder(THING), "stable");
        SpoolRecord pending = record(placeholder);
        assertSame(pending, ids.resolveIfKnown(pending), "nothing known yet, and no network call");
        assertEquals(0, registry.calls.get());

        SchemaRegistryException down = assertThrows(SchemaRegistryException.class, () -> ids.resolve(pending));
        assertTrue(down.isTransient());
        assertTrue(ids.unreachable());
        // Within the pause the registry is not asked again, however many records wait.
        for (int i = 0; i < 100; i++) {
            assertThrows(SchemaRegistryException.class, () -> ids.resolve(pending));
        }
        assertEquals(1, registry.calls.get());

        registry.down.set(false);
        now.addAndGet(1_000);
        SpoolRecord sent = ids.resolve(pending);
        assertEquals(2, WireFormat.schemaId(sent.value()));
        assertArrayEquals(new byte[] {42, 43}, java.util.Arrays.copyOfRange(sent.value(), 5, 7), "body untouched");
        assertEquals(placeholder, WireFormat.schemaId(pending.value()), "the spooled bytes are not changed in place");

        registry.down.set(true); // ids are cached: a later outage costs nothing
        assertEquals(2, WireFormat.schemaId(ids.resolveIfKnown(pending).value()));
        assertEquals(2, WireFormat.schemaId(ids.resolve(pending).value()));
        assertEquals(2, registry.calls.get());
    }

    @Test
    void realIdsPassThroughAndUnknownPlaceholdersAreRefused() {
        SchemaIds ids = new SchemaIds(new Flaky().registry, true, () -> 0);
        SpoolRecord real = record(7);
        assertSame(real, ids.resolve(real));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ids.resolve(record(-5)));
        assertTrue(e.getMessage().contains("another schema"), e.getMessage());
    }
}
