package io.lmadvisor.qmp;

import static io.lmadvisor.qmp.FakeQmpServer.GREETING_10_0_2;
import static io.lmadvisor.qmp.FakeQmpServer.error;
import static io.lmadvisor.qmp.FakeQmpServer.event;
import static io.lmadvisor.qmp.FakeQmpServer.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QmpClientTest {
    private static final Duration TIMEOUT = Duration.ofMillis(300);

    @TempDir
    Path dir;

    private FakeQmpServer server(FakeQmpServer.Responder r) throws IOException {
        return new FakeQmpServer(dir.resolve("qmp.sock"), GREETING_10_0_2, r);
    }

    @Test
    void readsGreetingAndNegotiatesCapabilitiesFirst() throws Exception {
        try (FakeQmpServer s = server((cmd, m) -> List.of(ok(m, "{}")));
                QmpClient c = QmpClient.connect(dir.resolve("qmp.sock"), TIMEOUT)) {
            assertArrayEquals(new int[] {10, 0, 2}, c.version());
            assertEquals(List.of("qmp_capabilities"), s.commands());
            assertTrue(s.received.get(0).has("id"), "commands carry an id so replies can be matched");
        }
    }

    @Test
    void returnsTheReplyWithItsOwnIdAndKeepsInterleavedEvents() throws Exception {
        FakeQmpServer.Responder r = (cmd, m) -> cmd.equals("query-name")
                ? List.of(
                        event("STOP"),
                        "{\"return\": {\"name\": \"stale\"}, \"id\": \"someone-else\"}",
                        event("RESUME"),
                        ok(m, "{\"name\": \"vm-a\"}"))
                : List.of(ok(m, "{}"));
        try (FakeQmpServer s = server(r);
                QmpClient c = QmpClient.connect(dir.resolve("qmp.sock"), TIMEOUT)) {
            assertEquals("vm-a", c.execute("query-name", null).path("name").asText());
            List<JsonNode> events = c.drainEvents();
            assertEquals(
                    List.of("STOP", "RESUME"),
                    events.stream().map(e -> e.path("event").asText()).toList());
            assertTrue(c.drainEvents().isEmpty());
        }
    }

    @Test
    void errorReplyBecomesQmpExceptionAndConnectionStaysUsable() throws Exception {
        FakeQmpServer.Responder r = (cmd, m) -> cmd.equals("nope")
                ? List.of(error(m, "CommandNotFound", "The command nope has not been found"))
                : List.of(ok(m, "{\"name\": \"x\"}"));
        try (FakeQmpServer s = server(r);
                QmpClient c = QmpClient.connect(dir.resolve("qmp.sock"), TIMEOUT)) {
            QmpException e = assertThrows(QmpException.class, () -> c.execute("nope", null));
            assertEquals("CommandNotFound", e.errorClass());
            assertTrue(e.getMessage().contains("nope has not been found"), e.getMessage());
            assertEquals("x", c.execute("query-name", null).path("name").asText());
        }
    }

    @Test
    void unansweredCommandTimesOutAndALateReplyIsIgnoredAfterwards() throws Exception {
        FakeQmpServer.Responder r = (cmd, m) -> switch (cmd) {
            case "hang" -> List.of();
            // The late reply to "hang" (id lm-1) arrives just before this command's own reply.
            case "query-name" ->
                List.of("{\"return\": {\"name\": \"late\"}, \"id\": \"lm-1\"}", ok(m, "{\"name\": \"ok\"}"));
            default -> List.of(ok(m, "{}"));
        };
        try (FakeQmpServer s = server(r);
                QmpClient c = QmpClient.connect(dir.resolve("qmp.sock"), TIMEOUT)) {
            IOException e = assertThrows(IOException.class, () -> c.execute("hang", null));
            assertTrue(
                    e.getMessage().contains("no QMP answer") && e.getMessage().contains("hang"), e.getMessage());
            assertEquals("ok", c.execute("query-name", null).path("name").asText());
        }
    }

    @Test
    void disconnectDuringCommandIsAnIOException() throws Exception {
        FakeQmpServer.Responder r = (cmd, m) -> cmd.equals("quit") ? null : List.of(ok(m, "{}"));
        try (FakeQmpServer s = server(r);
                QmpClient c = QmpClient.connect(dir.resolve("qmp.sock"), TIMEOUT)) {
            IOException e = assertThrows(IOException.class, () -> c.execute("quit", null));
            assertTrue(e.getMessage().contains("closed the QMP connection"), e.getMessage());
        }
    }

    @Test
    void missingSocketIsNamedInTheError() {
        IOException e = assertThrows(IOException.class, () -> QmpClient.connect(dir.resolve("absent.sock"), TIMEOUT));
        assertTrue(e.getMessage().contains("absent.sock") && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void silentServerTimesOutWaitingForTheGreeting() throws Exception {
        try (FakeQmpServer s = new FakeQmpServer(dir.resolve("qmp.sock"), null, (cmd, m) -> List.of())) {
            IOException e = assertThrows(IOException.class, () -> QmpClient.connect(dir.resolve("qmp.sock"), TIMEOUT));
            assertTrue(
                    e.getMessage().contains("greeting") && e.getMessage().contains("one client per socket"),
                    e.getMessage());
        }
    }

    @Test
    void serverThatIsNotQmpIsRejected() throws Exception {
        try (FakeQmpServer s = new FakeQmpServer(dir.resolve("qmp.sock"), "{\"hello\": 1}", (cmd, m) -> List.of())) {
            IOException e = assertThrows(IOException.class, () -> QmpClient.connect(dir.resolve("qmp.sock"), TIMEOUT));
            assertTrue(e.getMessage().contains("not a QMP greeting"), e.getMessage());
        }
        try (FakeQmpServer s = new FakeQmpServer(dir.resolve("qmp.sock"), "HTTP/1.1 200 OK", (cmd, m) -> List.of())) {
            IOException e = assertThrows(IOException.class, () -> QmpClient.connect(dir.resolve("qmp.sock"), TIMEOUT));
            assertTrue(e.getMessage().contains("not a QMP stream"), e.getMessage());
        }
    }

    @Test
    void failedCapabilitiesNegotiationIsAnIOException() throws Exception {
        try (FakeQmpServer s = server((cmd, m) -> List.of(error(m, "CommandNotFound", "no")))) {
            IOException e = assertThrows(IOException.class, () -> QmpClient.connect(dir.resolve("qmp.sock"), TIMEOUT));
            assertTrue(e.getMessage().contains("capabilities"), e.getMessage());
        }
    }

    @Test
    void framerSplitsPrettyPrintedAndFragmentedMessages() throws Exception {
        JsonFramer f = new JsonFramer(1 << 20);
        byte[] in = "{\"return\": {\n  \"s\": \"a } \\\" {\"\n}}\r\n{\"event\": [1, {\"x\": 2}]}\r\n{\"par"
                .getBytes(StandardCharsets.UTF_8);
        // One byte at a time, as a slow socket could deliver them.
        StringBuilder out = new StringBuilder();
        for (byte b : in) {
            f.append(new byte[] {b}, 0, 1);
            for (byte[] m = f.next(); m != null; m = f.next()) {
                out.append(new String(m, StandardCharsets.UTF_8)).append('|');
            }
        }
        assertEquals("{\"return\": {\n  \"s\": \"a } \\\" {\"\n}}|{\"event\": [1, {\"x\": 2}]}|", out.toString());
        assertNull(f.next());
    }

    @Test
    void framerRefusesOversizedMessages() {
        JsonFramer f = new JsonFramer(16);
        byte[] big = "{\"a\": \"0123456789abcdef\"}".getBytes(StandardCharsets.UTF_8);
        assertThrows(IOException.class, () -> f.append(big, 0, big.length));
    }
}
