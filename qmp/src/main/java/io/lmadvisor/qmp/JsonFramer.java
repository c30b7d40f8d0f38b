package io.lmadvisor.qmp;

import java.io.IOException;
import java.util.Arrays;

/**
 * Splits a QMP byte stream into top-level JSON objects. QEMU ends each message with CRLF, but with
 * {@code pretty=on} one message spans many lines, so framing counts braces instead of lines.
 */
final class JsonFramer {
    private final int maxMessageBytes;
    private byte[] buf = new byte[8192];
    private int start;
    private int end;
    // Scan state of the message being assembled, kept so each byte is scanned once.
    private int scan;
    private int depth;
    private boolean inString;
    private boolean escaped;

    JsonFramer(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    void append(byte[] src, int off, int len) throws IOException {
        if (end + len > buf.length) {
            System.arraycopy(buf, start, buf, 0, end - start);
            scan -= start;
            end -= start;
            start = 0;
            if (end + len > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, end + len));
            }
        }
        System.arraycopy(src, off, buf, end, len);
        end += len;
        if (end - start > maxMessageBytes) {
            throw new IOException("QMP message larger than " + maxMessageBytes + " bytes");
        }
    }

    /** The next complete top-level object, or null until more bytes arrive. */
    byte[] next() throws IOException {
        while (scan < end) {
            byte b = buf[scan++];
            if (depth == 0) {
                if (b == '{') {
                    start = scan - 1;
                    depth = 1;
                } else if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
                    start = scan;
                } else {
                    throw new IOException("not a QMP stream: unexpected byte 0x" + Integer.toHexString(b & 0xff));
                }
                continue;
            }
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if ((b == '}' || b == ']') && --depth == 0) {
                byte[] msg = Arrays.copyOfRange(buf, start, scan);
                start = scan;
                return msg;
            }
        }
        return null;
    }
}
