package io.lmadvisor.streams.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.httpserver.BoundedHttpServer;
import io.lmadvisor.httpserver.HttpLimits;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The live feed over a real Jetty server: backlog then live events, and a browser that stops reading is dropped. */
class SseHubTest {
    private final SseHub hub = new SseHub(2, 50);
    private BoundedHttpServer server;

    @AfterEach
    void close() {
        hub.close();
        if (server != null) {
            server.close();
        }
    }

    private int start(List<String> backlog) {
        server = BoundedHttpServer.create(
                        "sse-test",
                        "127.0.0.1",
                        0,
                        "test",
                        HttpLimits.defaults(),
                        c -> c.routes.sse("/events", client -> hub.accept(client, backlog)))
                .start();
        return server.port();
    }

    private static Socket connect(int port) throws Exception {
        Socket s = new Socket("127.0.0.1", port);
        s.setReceiveBufferSize(4096);
        OutputStream out = s.getOutputStream();
        out.write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    @Test
    void aBrowserGetsTheBacklogThenLiveEvents() throws Exception {
        int port = start(List.of("{\"n\":1}", "{\"n\":2}"));
        try (Socket s = connect(port)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(20)).until(() -> hub.clients() == 1);
            hub.publish("{\"n\":3}");
            StringBuilder data = new StringBuilder();
            for (String line = in.readLine();
                    line != null && !data.toString().contains("{\"n\":3}");
                    line = in.readLine()) {
                if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim()).append(' ');
                }
            }
            assertEquals("{\"n\":1} {\"n\":2} {\"n\":3} ", data.toString());
        }
    }

    @Test
    void aBrowserThatStopsReadingIsDroppedAndNeverBlocksThePublisher() throws Exception {
        int port = start(List.of());
        try (Socket stuck = connect(port)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> hub.clients() == 1);
            String big = "{\"pad\":\"" + "x".repeat(32 * 1024) + "\"}";
            // Far more than the socket buffers hold: the writer blocks, the queue fills, the client goes.
            for (int i = 0; i < 2_000 && hub.dropped() == 0; i++) {
                hub.publish(big);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> hub.dropped() == 1 && hub.clients() == 0);
            assertTrue(stuck.isConnected());
        }
    }

    @Test
    void connectionsBeyondTheCapAreRefused() throws Exception {
        int port = start(List.of());
        try (Socket a = connect(port);
                Socket b = connect(port)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> hub.clients() == 2);
            try (Socket c = connect(port)) {
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
                String line;
                do {
                    line = in.readLine();
                } while (line != null && !line.startsWith("event:"));
                assertEquals("event: refused", line);
                assertEquals(2, hub.clients());
            }
        }
    }
}
