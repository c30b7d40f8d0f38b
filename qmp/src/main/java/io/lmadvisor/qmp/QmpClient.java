package io.lmadvisor.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A QMP client over a Unix domain socket: reads the greeting, enters command mode and runs
 * commands one at a time. Every read has a deadline. Events that arrive between replies are kept
 * (the last {@value #MAX_EVENTS}) for {@link #drainEvents}. Not thread-safe.
 */
public final class QmpClient implements Closeable {
    static final int MAX_EVENTS = 64;
    private static final int MAX_MESSAGE_BYTES = 16 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path socket;
    private final SocketChannel channel;
    private final Selector selector;
    private final long timeoutNanos;
    private final JsonFramer framer = new JsonFramer(MAX_MESSAGE_BYTES);
    private final ByteBuffer readBuf = ByteBuffer.allocate(8192);
    private final Deque<JsonNode> events = new ArrayDeque<>();
    private final int[] version;
    private long nextId;

    private QmpClient(Path socket, SocketChannel channel, Duration timeout) throws IOException {
        this.socket = socket;
        this.channel = channel;
        this.timeoutNanos = timeout.toNanos();
        channel.configureBlocking(false);
        selector = Selector.open();
        try {
            channel.register(selector, SelectionKey.OP_READ);
            JsonNode greeting = read(
                    System.nanoTime() + timeoutNanos,
                    "the QMP greeting"
                            + " (another client, e.g. libvirt, may hold this monitor: QEMU serves one client per socket)");
            JsonNode qemu = greeting.path("QMP").path("version").path("qemu");
            if (!qemu.has("major")) {
                throw new IOException("not a QMP greeting from " + socket + ": " + abbreviate(greeting));
            }
            version = new int[] {
                qemu.path("major").asInt(),
                qemu.path("minor").asInt(),
                qemu.path("micro").asInt()
            };
            execute("qmp_capabilities", null);
        } catch (QmpException e) {
            selector.close();
            throw new IOException("QMP capabilities negotiation on " + socket + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
    }

    /**
     * Connects, reads the greeting and sends {@code qmp_capabilities}. Failures come back as
     * IOExceptions whose message names the socket and the likely cause.
     */
    public static QmpClient connect(Path socket, Duration timeout) throws IOException {
        if (!Files.exists(socket)) {
            throw new IOException("QMP socket " + socket + " does not exist (VM not running, or not started with"
                    + " -qmp unix:" + socket + ",server=on,wait=off?)");
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new QmpClient(socket, ch, timeout);
        } catch (SocketException e) {
            ch.close();
            throw new IOException(connectFailure(socket, e), e);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static String connectFailure(Path socket, SocketException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Permission denied")) {
            return "permission denied on QMP socket " + socket + " (the agent needs write access to it;"
                    + " libvirt's monitor sockets belong to libvirt: give the VM a separate -qmp socket)";
        }
        if (m.contains("Connection refused")) {
            return "nothing listens on QMP socket " + socket + " (stale socket: QEMU exited?)";
        }
        return "cannot connect to QMP socket " + socket + ": " + m;
    }

    /** QEMU's version from the greeting: major, minor, micro. */
    public int[] version() {
        return version.clone();
    }

    public Path socket() {
        return socket;
    }

    /**
     * Runs {@code command} and returns its {@code return} value.
     *
     * @throws QmpException QEMU answered with an error
     * @throws IOException the connection broke, or no reply came within the timeout; either way the
     *     client should be closed
     */
    public JsonNode execute(String command, JsonNode arguments) throws IOException, QmpException {
        String id = "lm-" + (nextId++);
        ObjectNode msg = JSON.createObjectNode();
        msg.put("execute", command);
        if (arguments != null) {
            msg.set("arguments", arguments);
        }
        msg.put("id", id);
        // QEMU needs no terminator, but line-oriented peers (socat, test doubles) do.
        write((msg.toString() + "\n").getBytes(StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            JsonNode reply = read(deadline, "the reply to " + command);
            if (reply.has("event")) {
                if (events.size() == MAX_EVENTS) {
                    events.removeFirst();
                }
                events.addLast(reply);
                continue;
            }
            // A reply without our id answers an earlier command that timed out; it is stale.
            if (!id.equals(reply.path("id").asText(null))) {
                continue;
            }
            if (reply.has("error")) {
                JsonNode err = reply.get("error");
                throw new QmpException(
                        command, err.path("class").asText("?"), err.path("desc").asText("?"));
            }
            if (reply.has("return")) {
                return reply.get("return");
            }
            throw new IOException("malformed QMP reply to " + command + ": " + abbreviate(reply));
        }
    }

    /** Events received so far, oldest first, and forgets them. */
    public List<JsonNode> drainEvents() {
        List<JsonNode> out = new ArrayList<>(events);
        events.clear();
        return out;
    }

    private void write(byte[] bytes) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + timeoutNanos;
        while (out.hasRemaining()) {
            int n;
            try {
                n = channel.write(out);
            } catch (IOException e) {
                throw new IOException(broken(e), e);
            }
            if (n == 0) {
                if (System.nanoTime() >= deadline) {
                    throw new IOException("timed out writing to QMP socket " + socket);
                }
                // The kernel buffer is full (QEMU not reading): wait a little rather than spin.
                selector.select(1);
            }
        }
    }

    private JsonNode read(long deadlineNanos, String what) throws IOException {
        while (true) {
            byte[] msg = framer.next();
            if (msg != null) {
                return JSON.readTree(msg);
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new IOException("no QMP answer on " + socket + " within "
                        + Duration.ofNanos(timeoutNanos).toMillis() + " ms waiting for " + what);
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            readBuf.clear();
            int n;
            try {
                n = channel.read(readBuf);
            } catch (IOException e) {
                throw new IOException(broken(e), e);
            }
            if (n < 0) {
                throw new EOFException("QEMU closed the QMP connection on " + socket + " (VM shut down or restarted?)");
            }
            framer.append(readBuf.array(), 0, n);
        }
    }

    private String broken(IOException e) {
        return "QMP connection on " + socket + " broke: " + e.getMessage() + " (VM shut down or restarted?)";
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
    }
}
