package io.lmadvisor.agent.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded FIFO of {@link SpoolRecord}s on disk, kept while the broker is unreachable.
 *
 * <p>Layout: segment files {@code <id>.seg} of records {@code [int bodyLength][int crc32c(body)]
 * [body]}, body = {@code long timestampMs, short topicLength, topic, int keyLength (-1 = null),
 * key, int valueLength (-1 = null), value}; and a {@code head} file with the segment id and byte
 * offset of the oldest record not yet acknowledged by the broker. Records are read with
 * {@link #peek} and only leave the spool through {@link #commit}, after the broker acked them, so
 * a crash between send and commit re-sends them (at least once), never loses them.
 *
 * <p>Bound: the segment files together never exceed {@code maxBytes}. A full spool refuses the
 * newest records ({@link #append} returns how many it took): the head only moves on acks, so what
 * is being drained is never deleted underneath the sender, and what reaches the broker is a
 * gap-free prefix of the outage. The caller counts and logs what was refused.
 *
 * <p>On open, a torn or corrupt record (crash mid-write, disk error) ends its segment: the rest
 * of that segment is cut off and reported through {@link #corruptBytesDiscarded()}, not thrown.
 * One process per directory, enforced by a lock file. Thread-safe.
 */
public final class DiskSpool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DiskSpool.class);
    private static final String SEGMENT_SUFFIX = ".seg";
    private static final String HEAD_FILE = "head";
    private static final int RECORD_HEADER_BYTES = 8;
    // A larger length can only be corruption: records are single samples of a few hundred bytes.
    private static final int MAX_BODY_BYTES = 64 << 20;

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Segment id to its valid length in bytes, oldest first. */
    private final TreeMap<Long, Long> segments = new TreeMap<>();

    private long headSegment;
    private long headOffset;
    private long records;
    private long corruptBytesDiscarded;
    private long nextSegment;
    private FileChannel tail;
    private boolean closed;

    private DiskSpool(Path dir, long maxBytes, long segmentBytes) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        Files.createDirectories(dir);
        lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            lockChannel.close();
            throw new IllegalStateException(
                    "spool directory " + dir + " is in use by another agent; give each agent its own --spool-dir");
        }
        lock = l;
    }

    /**
     * Opens (or creates) the spool in {@code dir}; records left by an earlier run are kept.
     *
     * @param maxBytes bound on the segment files together
     * @param segmentBytes size at which a new segment file starts; the drained part of a segment is
     *     freed only when the whole segment is, so keep it well below maxBytes
     */
    public static DiskSpool open(Path dir, long maxBytes, long segmentBytes) {
        if (maxBytes <= 0 || segmentBytes <= 0) {
            throw new IllegalArgumentException(
                    "spool sizes must be positive: maxBytes=" + maxBytes + ", segmentBytes=" + segmentBytes);
        }
        try {
            DiskSpool spool = new DiskSpool(dir, maxBytes, Math.min(segmentBytes, maxBytes));
            spool.recover();
            return spool;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open spool directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The default segment size for a bound: an eighth of it, between 64 KiB and 16 MiB. */
    public static long defaultSegmentBytes(long maxBytes) {
        return Math.max(64 << 10, Math.min(16 << 20, maxBytes / 8));
    }

    public Path dir() {
        return dir;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Records not yet committed. */
    public synchronized long records() {
        return records;
    }

    public synchronized boolean isEmpty() {
        return records == 0;
    }

    /** Bytes of the segment files (what counts against maxBytes). */
    public synchronized long bytes() {
        return segments.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Bytes cut off at open because a record was torn or corrupt. */
    public synchronized long corruptBytesDiscarded() {
        return corruptBytesDiscarded;
    }

    /**
     * Appends records in order until the bound is reached.
     *
     * @return how many of {@code batch} (a prefix) were stored; the rest did not fit
     */
    public synchronized int append(List<SpoolRecord> batch) {
        requireOpen();
        long used = bytes();
        int stored = 0;
        List<ByteBuffer> pending = new ArrayList<>();
        long pendingBytes = 0;
        try {
            for (SpoolRecord r : batch) {
                ByteBuffer encoded = encode(r);
                int size = encoded.remaining();
                if (used + pendingBytes + size > maxBytes) {
                    break;
                }
                if (tail == null
                        || segments.lastEntry().getValue() + pendingBytes + size > segmentBytes
                                && segments.lastEntry().getValue() + pendingBytes > 0) {
                    write(pending, pendingBytes);
                    used += pendingBytes;
                    pending.clear();
                    pendingBytes = 0;
                    roll();
                }
                pending.add(encoded);
                pendingBytes += size;
                stored++;
            }
            write(pending, pendingBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to spool " + dir + ": " + e.getMessage(), e);
        }
        records += stored;
        return stored;
    }

    /** Up to {@code maxRecords} of the oldest records, left in the spool until {@link #commit}. */
    public synchronized Batch peek(int maxRecords) {
        requireOpen();
        List<SpoolRecord> out = new ArrayList<>();
        long segment = headSegment;
        long offset = headOffset;
        try {
            for (Map.Entry<Long, Long> e : segments.tailMap(headSegment, true).entrySet()) {
                if (out.size() >= maxRecords) {
                    break;
                }
                segment = e.getKey();
                long size = e.getValue();
                offset = segment == headSegment ? headOffset : 0;
                try (FileChannel ch = FileChannel.open(segmentPath(segment), StandardOpenOption.READ)) {
                    while (offset < size && out.size() < maxRecords) {
                        ByteBuffer header = readFully(ch, offset, RECORD_HEADER_BYTES);
                        int length = header.getInt();
                        header.getInt();
                        ByteBuffer body = readFully(ch, offset + RECORD_HEADER_BYTES, length);
                        out.add(decode(body));
                        offset += RECORD_HEADER_BYTES + length;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spool " + dir + ": " + e.getMessage(), e);
        }
        return new Batch(out, headSegment, headOffset, segment, offset);
    }

    /**
     * Removes a peeked batch, after the broker acknowledged every record of it. The head file is
     * forced to disk before this returns.
     */
    public synchronized void commit(Batch batch) {
        commit(batch, batch.records().size());
    }

    /** Removes the first {@code count} records of a peeked batch (an acknowledged prefix). */
    public synchronized void commit(Batch batch, int count) {
        requireOpen();
        if (batch.fromSegment != headSegment || batch.fromOffset != headOffset) {
            throw new IllegalStateException("batch does not start at the spool head (committed twice?)");
        }
        if (count == 0) {
            return;
        }
        long segment = batch.toSegment;
        long offset = batch.toOffset;
        if (count < batch.records().size()) {
            // Walk forward from the batch start; records are variable length.
            segment = headSegment;
            offset = headOffset;
            for (int i = 0; i < count; i++) {
                if (offset >= segments.get(segment)) {
                    segment = segments.higherKey(segment);
                    offset = 0;
                }
                offset +=
                        RECORD_HEADER_BYTES + encodedBodyLength(batch.records().get(i));
            }
        }
        try {
            headSegment = segment;
            headOffset = offset;
            records -= count;
            for (Long old : new ArrayList<>(segments.headMap(headSegment, false).keySet())) {
                segments.remove(old);
                Files.deleteIfExists(segmentPath(old));
            }
            if (records == 0) {
                reset();
            } else {
                writeHead();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update spool head in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Forces appended records to disk. */
    public synchronized void sync() {
        if (tail != null && !closed) {
            try {
                tail.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot sync spool " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            sync();
            if (tail != null) {
                tail.close();
            }
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("Closing spool {}: {}", dir, e.toString());
        } finally {
            closed = true;
        }
    }

    /** Records from {@link #peek}, with the positions {@link #commit} needs. */
    public static final class Batch {
        private final List<SpoolRecord> records;
        private final long fromSegment;
        private final long fromOffset;
        private final long toSegment;
        private final long toOffset;

        private Batch(List<SpoolRecord> records, long fromSegment, long fromOffset, long toSegment, long toOffset) {
            this.records = List.copyOf(records);
            this.fromSegment = fromSegment;
            this.fromOffset = fromOffset;
            this.toSegment = toSegment;
            this.toOffset = toOffset;
        }

        public List<SpoolRecord> records() {
            return records;
        }
    }

    // ---- internals ----

    private void recover() throws IOException {
        List<Long> ids = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(SEGMENT_SUFFIX))
                    .forEach(n -> {
                        try {
                            ids.add(Long.parseLong(n.substring(0, n.length() - SEGMENT_SUFFIX.length())));
                        } catch (NumberFormatException e) {
                            LOG.warn("Ignoring unexpected file {} in spool {}", n, dir);
                        }
                    });
        }
        ids.sort(null);
        long[] head = readHead();
        headSegment = head[0];
        headOffset = head[1];
        if (ids.isEmpty() || !ids.contains(headSegment)) {
            // No head file, or its segment was already deleted: start at the oldest segment.
            headSegment = ids.isEmpty() ? 0 : ids.get(0);
            headOffset = 0;
        }
        for (long id : ids) {
            if (id < headSegment) {
                Files.deleteIfExists(segmentPath(id)); // fully acked before a crash
                continue;
            }
            long start = id == headSegment ? headOffset : 0;
            long[] scan = scan(id, start, id == ids.get(ids.size() - 1));
            segments.put(id, scan[0]);
            records += scan[1];
            if (id == headSegment && headOffset > scan[0]) {
                headOffset = scan[0];
            }
        }
        nextSegment = ids.isEmpty() ? 0 : ids.get(ids.size() - 1) + 1;
        if (records == 0) {
            reset();
        } else {
            LOG.info(
                    "Spool {} holds {} records ({} bytes) from an earlier run; they are sent first",
                    dir,
                    records,
                    bytes());
            tail = FileChannel.open(
                    segmentPath(segments.lastKey()), StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
    }

    /** Validates records from {@code start}; cuts the file at the first bad one. Returns {valid length, records}. */
    private long[] scan(long id, long start, boolean last) throws IOException {
        Path path = segmentPath(id);
        long count = 0;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long offset = Math.min(start, size);
            String problem = null;
            while (offset < size) {
                if (size - offset < RECORD_HEADER_BYTES) {
                    problem = "torn record header";
                    break;
                }
                ByteBuffer header = readFully(ch, offset, RECORD_HEADER_BYTES);
                int length = header.getInt();
                int crc = header.getInt();
                if (length < 0 || length > MAX_BODY_BYTES || size - offset - RECORD_HEADER_BYTES < length) {
                    problem = "torn or impossible record length " + length;
                    break;
                }
                ByteBuffer body = readFully(ch, offset + RECORD_HEADER_BYTES, length);
                if (crc(body) != crc) {
                    problem = "checksum mismatch";
                    break;
                }
                try {
                    decode(body.duplicate());
                } catch (RuntimeException e) {
                    problem = "undecodable record: " + e.getMessage();
                    break;
                }
                offset += RECORD_HEADER_BYTES + length;
                count++;
            }
            if (problem != null) {
                long lost = size - offset;
                corruptBytesDiscarded += lost;
                LOG.warn(
                        "Spool segment {}: {} at byte {}; discarding its last {} bytes{}",
                        path,
                        problem,
                        offset,
                        lost,
                        last ? " (an interrupted write)" : " (records after it are lost)");
                ch.truncate(offset);
                ch.force(true);
            }
            return new long[] {offset, count};
        }
    }

    private void roll() throws IOException {
        if (tail != null) {
            tail.force(false);
            tail.close();
        }
        long id = nextSegment++;
        tail = FileChannel.open(
                segmentPath(id), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        if (segments.isEmpty()) {
            headSegment = id;
            headOffset = 0;
        }
        segments.put(id, 0L);
    }

    private void write(List<ByteBuffer> buffers, long bytes) throws IOException {
        if (buffers.isEmpty()) {
            return;
        }
        ByteBuffer[] array = buffers.toArray(new ByteBuffer[0]);
        long written = 0;
        while (written < bytes) {
            written += tail.write(array);
        }
        segments.put(segments.lastKey(), segments.lastEntry().getValue() + bytes);
    }

    /** Empty: delete every segment and the head file so the directory is clean. */
    private void reset() throws IOException {
        if (tail != null) {
            tail.close();
            tail = null;
        }
        for (long id : segments.keySet()) {
            Files.deleteIfExists(segmentPath(id));
        }
        segments.clear();
        Files.deleteIfExists(dir.resolve(HEAD_FILE));
        headSegment = nextSegment;
        headOffset = 0;
    }

    private long[] readHead() throws IOException {
        Path p = dir.resolve(HEAD_FILE);
        if (!Files.exists(p)) {
            return new long[] {-1, 0};
        }
        String text = Files.readString(p, StandardCharsets.US_ASCII).trim();
        String[] parts = text.split(" ");
        try {
            return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
        } catch (RuntimeException e) {
            // Without a head every remaining record is sent again: duplicates, not loss.
            LOG.warn("Spool head file {} is unreadable ('{}'); starting at the oldest segment", p, text);
            return new long[] {-1, 0};
        }
    }

    private void writeHead() throws IOException {
        Path tmp = dir.resolve(HEAD_FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap((headSegment + " " + headOffset + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(HEAD_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Path segmentPath(long id) {
        return dir.resolve(String.format("%020d%s", id, SEGMENT_SUFFIX));
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("spool " + dir + " is closed");
        }
    }

    private static int encodedBodyLength(SpoolRecord r) {
        return 8
                + 2
                + r.topic().getBytes(StandardCharsets.UTF_8).length
                + 4
                + (r.key() == null ? 0 : r.key().length)
                + 4
                + (r.value() == null ? 0 : r.value().length);
    }

    static ByteBuffer encode(SpoolRecord r) {
        byte[] topic = r.topic().getBytes(StandardCharsets.UTF_8);
        int bodyLength = encodedBodyLength(r);
        ByteBuffer buf = ByteBuffer.allocate(RECORD_HEADER_BYTES + bodyLength);
        buf.position(RECORD_HEADER_BYTES);
        buf.putLong(r.timestampMs());
        buf.putShort((short) topic.length);
        buf.put(topic);
        putBytes(buf, r.key());
        putBytes(buf, r.value());
        ByteBuffer body = buf.duplicate().position(RECORD_HEADER_BYTES).limit(buf.capacity());
        buf.putInt(0, bodyLength);
        buf.putInt(4, crc(body));
        buf.rewind();
        return buf;
    }

    private static void putBytes(ByteBuffer buf, byte[] bytes) {
        buf.putInt(bytes == null ? -1 : bytes.length);
        if (bytes != null) {
            buf.put(bytes);
        }
    }

    private static SpoolRecord decode(ByteBuffer body) {
        long ts = body.getLong();
        int topicLength = body.getShort();
        byte[] topic = new byte[topicLength];
        body.get(topic);
        byte[] key = getBytes(body);
        byte[] value = getBytes(body);
        if (body.hasRemaining()) {
            throw new IllegalArgumentException(body.remaining() + " trailing bytes");
        }
        return new SpoolRecord(new String(topic, StandardCharsets.UTF_8), key, value, ts);
    }

    private static byte[] getBytes(ByteBuffer body) {
        int n = body.getInt();
        if (n < -1 || n > body.remaining()) {
            throw new IllegalArgumentException("bad field length " + n);
        }
        if (n == -1) {
            return null;
        }
        byte[] out = new byte[n];
        body.get(out);
        return out;
    }

    private static int crc(ByteBuffer body) {
        CRC32C crc = new CRC32C();
        crc.update(body.duplicate());
        return (int) crc.getValue();
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) {
                throw new IOException("unexpected end of spool segment at byte " + (position + buf.position()));
            }
        }
        buf.flip();
        return buf;
    }
}
