package io.lmadvisor.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test double of QEMU's QMP server: one client at a time, answers scripted by a {@link Responder}. */
public final class FakeQmpServer implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String GREETING_10_0_2 =
            "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 2, \"minor\": 0, \"major\": 10}, \"package\": \"\"},"
                    + " \"capabilities\": [\"oob\"]}}";

    /** Raw messages to send for one command; null closes the connection, an empty list sends nothing. */
    public interface Responder {
        List<String> answer(String command, JsonNode message);
    }

    public final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread thread;
    private volatile SocketChannel client;

    public FakeQmpServer(Path socket, String greeting, Responder responder) throws IOException {
        this.socket = socket;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = new Thread(() -> serve(greeting, responder), "fake-qmp");
        thread.setDaemon(true);
        thread.start();
    }

    public static String ok(JsonNode message, String returnJson) {
        return "{\"return\": " + returnJson + ", \"id\": " + message.get("id") + "}";
    }

    public static String error(JsonNode message, String errorClass, String desc) {
        return "{\"id\": " + message.get("id") + ", \"error\": {\"class\": \"" + errorClass + "\", \"desc\": \"" + desc
                + "\"}}";
    }

    public static String event(String name) {
        return "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"" + name + "\", \"data\": {}}";
    }

    public List<String> commands() {
        return received.stream().map(m -> m.path("execute").asText()).toList();
    }

    private void serve(String greeting, Responder responder) {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                client = ch;
                OutputStream out = Channels.newOutputStream(ch);
                if (greeting != null) {
                    send(out, greeting);
                }
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    JsonNode msg = JSON.readTree(line);
                    received.add(msg);
                    List<String> answers = responder.answer(msg.path("execute").asText(), msg);
                    if (answers == null) {
                        break;
                    }
                    for (String a : answers) {
                        send(out, a);
                    }
                }
            } catch (IOException e) {
                // Client gone or server closed: accept the next one.
            }
        }
    }

    private static void send(OutputStream out, String message) throws IOException {
        out.write((message + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Drops the current connection, as QEMU exiting would. */
    public void dropClient() throws IOException {
        SocketChannel c = client;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        dropClient();
        Files.deleteIfExists(socket);
    }
}
