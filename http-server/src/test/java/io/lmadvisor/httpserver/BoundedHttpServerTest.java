package io.lmadvisor.httpserver;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedHttpServerTest {

    private static BoundedHttpServer server(int port) {
        return BoundedHttpServer.create(
                "test-http",
                "127.0.0.1",
                port,
                "--test-port",
                HttpLimits.defaults(),
                c -> c.routes.get("/health", ctx -> ctx.result("UP")));
    }

    /** Idle and half-sent connections hold no worker: a real request still gets its answer. */
    @Test
    void idleAndPartialConnectionsDoNotBlockOthers() throws Exception {
        List<Socket> hogs = new ArrayList<>();
        try (BoundedHttpServer s = server(0).start()) {
            for (int i = 0; i < 20; i++) {
                Socket idle = new Socket("127.0.0.1", s.port());
                hogs.add(idle);
                Socket partial = new Socket("127.0.0.1", s.port());
                OutputStream out = partial.getOutputStream();
                out.write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                hogs.add(partial);
            }
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/health"))
                    .timeout(Duration.ofSeconds(5))
                    .build();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                HttpResponse<String> r = client.send(get, HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("UP", r.body());
            });
        } finally {
            for (Socket h : hogs) {
                h.close();
            }
        }
    }

    @Test
    void aBusyPortIsOneSentenceNamingThePortAndTheSetting() {
        try (BoundedHttpServer first = server(0).start()) {
            PortInUseException e = assertThrows(
                    PortInUseException.class, () -> server(first.port()).start());
            assertEquals(first.port(), e.port());
            assertTrue(
                    e.getMessage().contains("Port " + first.port())
                            && e.getMessage().contains("--test-port"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
