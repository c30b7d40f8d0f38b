package io.lmadvisor.httpserver;

import java.time.Duration;

/**
 * Bounds of one HTTP server, so slow, idle or too many clients cannot take it over.
 *
 * @param readTimeout longest wait for the next bytes of a request or for a client to take the
 *     response, once a request has started
 * @param idleTimeout an open connection with no traffic is closed after this; idle connections
 *     hold no thread meanwhile
 * @param maxThreads request-handling threads; requests beyond them wait for one
 * @param maxConnections open connections, which also bounds the requests waiting for a thread
 *     (HTTP/1.1: one at a time per connection); further clients wait in the OS accept backlog
 * @param maxRequestBytes largest request body accepted
 */
public record HttpLimits(
        Duration readTimeout, Duration idleTimeout, int maxThreads, int maxConnections, long maxRequestBytes) {

    public HttpLimits {
        positive(readTimeout, "readTimeout");
        positive(idleTimeout, "idleTimeout");
        if (maxThreads < 2 || maxConnections < 1 || maxRequestBytes < 1) {
            throw new IllegalArgumentException("HTTP limits must be positive (maxThreads >= 2): " + this);
        }
    }

    /** For small local endpoints (health, metrics, a local registry). */
    public static HttpLimits defaults() {
        return new HttpLimits(Duration.ofSeconds(10), Duration.ofSeconds(30), 8, 256, 1 << 20);
    }

    public HttpLimits withIdleTimeout(Duration idle) {
        return new HttpLimits(readTimeout, idle, maxThreads, maxConnections, maxRequestBytes);
    }

    public HttpLimits withMaxThreads(int threads) {
        return new HttpLimits(readTimeout, idleTimeout, threads, maxConnections, maxRequestBytes);
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
