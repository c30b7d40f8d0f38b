package io.lmadvisor.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.serde.AvroSerdes;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Our REST client and serdes against our local registry server: separate processes can share schemas. */
class RegistryHttpServerTest {
  private RegistryHttpServer server;
  private SchemaRegistry client;

  @BeforeEach
  void start() throws Exception {
    server = new RegistryHttpServer(new MockSchemaRegistry(), new InetSocketAddress("127.0.0.1", 0)).start();
    client = SchemaRegistries.fromConfig(Map.of("schema.registry.url", server.url()));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static Schema record(boolean withRequiredField) {
    SchemaBuilder.FieldAssembler<Schema> f = SchemaBuilder.record("Thing").namespace("t").fields().requiredString("a");
    if (withRequiredField) {
      f = f.requiredLong("b");
    }
    return f.endRecord();
  }

  @Test
  void registerLookUpAndRejectAnIncompatibleVersion() {
    int id = client.register("things-value", record(false));
    assertEquals(record(false), client.getById(id));
    assertEquals(id, client.getIdFor("things-value", record(false)));
    assertFalse(client.testCompatibility("things-value", record(true)), "a new required field breaks BACKWARD");
    assertThrows(IncompatibleSchemaException.class, () -> client.register("things-value", record(true)));
    assertThrows(SchemaNotFoundException.class, () -> client.getById(999));
    client.setCompatibility("things-value", "NONE");
    assertEquals("NONE", client.getCompatibility("things-value"));
    assertTrue(client.register("things-value", record(true)) > id);
  }

  @Test
  void aRecordWrittenThroughTheServerIsReadBack() {
    Map<String, Object> config = Map.of("schema.registry.url", server.url());
    HostSample h = HostSample.newBuilder().setHostId("h").setTimestamp(Instant.parse("2026-01-01T00:00:00Z"))
        .setCpuCores(4).setCpuAvailPercent(100).setMemTotalMb(1024).setMemAvailMb(512)
        .setMigrationLinkSpeedMBps(125).setMigrationLinkAvailMBps(100).build();
    byte[] bytes = AvroSerdes.of(HostSample.class, config, false).serializer().serialize("lm.host-samples", h);
    // A second client, as another process would have, reads it through the server.
    assertEquals(h, AvroSerdes.of(HostSample.class, config, false).deserializer().deserialize("lm.host-samples", bytes));
  }

  @Test
  void basicAuthIsRequiredWhenConfigured() throws Exception {
    try (RegistryHttpServer secured = new RegistryHttpServer(new MockSchemaRegistry(),
        new InetSocketAddress("127.0.0.1", 0), "registry:reg-secret").start()) {
      SchemaRegistry right = SchemaRegistries.fromConfig(Map.of("schema.registry.url", secured.url(),
          "basic.auth.user.info", "registry:reg-secret"));
      int id = right.register("things-value", record(false));
      assertEquals(record(false), right.getById(id));
      for (Map<String, Object> wrong : java.util.List.<Map<String, Object>>of(
          Map.of("schema.registry.url", secured.url()),
          Map.of("schema.registry.url", secured.url(), "basic.auth.user.info", "registry:nope"))) {
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
            () -> SchemaRegistries.fromConfig(wrong).getById(id));
        assertEquals(401, e.httpStatus(), e.getMessage());
        assertFalse(e.getMessage().contains("reg-secret"), e.getMessage());
      }
    }
  }
}
