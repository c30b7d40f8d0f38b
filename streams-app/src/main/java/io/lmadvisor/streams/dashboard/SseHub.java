package io.lmadvisor.streams.dashboard;

import io.javalin.http.sse.SseClient;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans live-feed events out to browsers over server-sent events. The publisher only offers to bounded
 * per-client queues, so a slow or stuck browser never blocks it: its queue fills, it is dropped (its
 * EventSource reconnects). Each client has one writer thread; at most {@link #maxClients} clients.
 */
public final class SseHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SseHub.class);
    /** Below the HTTP idle timeout (10 s), so an idle stream is not cut. */
    static final long PING_EVERY_MS = 4_000;

    private final int maxClients;
    private final int queueEvents;
    private final List<Client> clients = new CopyOnWriteArrayList<>();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    public SseHub(int maxClients, int queueEvents) {
        this.maxClients = maxClients;
        this.queueEvents = queueEvents;
    }

    /** A browser connects: {@code backlog} first, then live events. Refused (closed at once) beyond the cap. */
    public void accept(SseClient sse, List<String> backlog) {
        if (closed || clients.size() >= maxClients) {
            sse.sendEvent("refused", "{\"error\":\"too many live dashboards on this instance (" + maxClients + ")\"}");
            sse.close();
            return;
        }
        Client c = new Client(sse, new ArrayBlockingQueue<>(queueEvents));
        backlog.stream().skip(Math.max(0, backlog.size() - queueEvents / 2)).forEach(c.queue::offer);
        clients.add(c);
        sse.onClose(() -> c.stop());
        sse.keepAlive();
        Thread t = new Thread(c::run, "dashboard-sse");
        t.setDaemon(true);
        t.start();
    }

    /** Never blocks: a client whose queue is full is dropped. */
    public void publish(String eventJson) {
        for (Client c : clients) {
            if (!c.queue.offer(eventJson)) {
                dropped.incrementAndGet();
                c.stop();
            }
        }
    }

    public int clients() {
        return clients.size();
    }

    /** Clients dropped for being too slow. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        closed = true;
        clients.forEach(Client::stop);
    }

    private final class Client {
        private final SseClient sse;
        private final BlockingQueue<String> queue;
        private volatile boolean stopped;

        Client(SseClient sse, BlockingQueue<String> queue) {
            this.sse = sse;
            this.queue = queue;
        }

        void run() {
            try {
                while (!stopped && !sse.terminated()) {
                    String next = queue.poll(PING_EVERY_MS, TimeUnit.MILLISECONDS);
                    if (next == null) {
                        sse.sendComment("ping");
                    } else {
                        sse.sendEvent("feed", next);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.debug("dashboard stream ended: {}", e.toString());
            } finally {
                clients.remove(this);
                closeQuietly();
            }
        }

        void stop() {
            stopped = true;
            clients.remove(this);
            queue.clear();
            // Wakes the writer; it closes the stream.
            queue.offer("{\"kind\":\"bye\"}");
        }

        private void closeQuietly() {
            try {
                sse.close();
            } catch (RuntimeException ignored) {
                // the browser is gone already
            }
        }
    }
}
