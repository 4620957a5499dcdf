package io.el4ner.core.internal.retrieval;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.El4nerException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * Saves and loads a {@link PoolIndex}. The format, version {@value #VERSION}, little-endian:
 * <pre>
 *   magic        8 bytes  "EL4NSPAN"
 *   version      int      2 (1: text-mode span vectors were encoded in batches; since 2 each alone)
 *   headerLength int      H
 *   header       H bytes  identity (int length + UTF-8), dimension, span mode (0 text, 1 context),
 *                         pool fingerprint (32 bytes), pool size n,
 *                         then for the span vectors and the sentence vectors: vector count, id count,
 *                         IVF lists (0 = none); then the payload length (long)
 *   headerCrc    int      CRC-32 of the header
 *   payload               per vector set: vectors (count x dimension floats, row-major), segment offsets
 *                         (n + 1 ints), vector ids (ints), and if it has an IVF index its centroids
 *                         (lists x dimension floats) and list offsets (lists + 1 ints)
 *   payloadCrc   int      CRC-32 of the payload
 * </pre>
 * Loading checks, in this order and before reading the payload where it can: the magic bytes, the version,
 * the header checksum, the file length against the header, the encoder identity, dimension, span mode and pool
 * fingerprint against what the caller expects, then the payload checksum and the structure. Every failure
 * names the file; nothing is ever returned from a file that fails a check. Saving writes a temporary file next
 * to the target and moves it into place, so a crash never leaves a half-written index under the target name.
 */
final class IndexFile {
    /** The format version this class writes and reads. */
    public static final int VERSION = 2;
    private static final byte[] MAGIC = "EL4NSPAN".getBytes(StandardCharsets.US_ASCII);
    private static final int CHUNK = 1 << 20;

    private IndexFile() {
    }

    /**
     * What a loaded index must match.
     *
     * @param encoderIdentity the encoder's identity
     * @param dimension the encoder's dimension
     * @param mode the span mode
     * @param poolFingerprint the pool's fingerprint
     */
    public record Expected(String encoderIdentity, int dimension, PoolIndex.SpanMode mode, byte[] poolFingerprint) {
    }

    /**
     * @param index the index
     * @param file where to write it; replaced if present
     * @throws El4nerException if it cannot be written
     */
    public static void save(PoolIndex index, Path file) {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        try {
            if (dir != null) {
                Files.createDirectories(dir);
            }
            tmp = Files.createTempFile(dir, abs.getFileName().toString(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                Writer w = new Writer(ch);
                w.bytes(MAGIC);
                w.int32(VERSION);
                byte[] header = header(index);
                w.int32(header.length);
                w.bytes(header);
                CRC32 crc = new CRC32();
                crc.update(header);
                w.int32((int) crc.getValue());
                w.flush();
                w.crc.reset();
                for (SegmentedVectors s : new SegmentedVectors[] {index.spans(), index.sentences()}) {
                    w.floats(s.table().rows());
                    w.ints(s.starts());
                    w.ints(s.ids());
                    if (s.ivf() != null) {
                        w.floats(s.ivf().centroidRows());
                        w.ints(s.ivf().listStarts());
                    }
                }
                w.flush();
                w.int32Raw((int) w.crc.getValue());
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new El4nerException("cannot write span index " + abs + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    private static byte[] header(PoolIndex index) {
        byte[] id = index.encoderIdentity().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + id.length + 4 + 4 + 32 + 4 + 2 * 12 + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(id.length).put(id).putInt(index.dimension()).putInt(index.mode().ordinal())
                .put(index.poolFingerprint()).putInt(index.poolSize());
        long payload = 0;
        for (SegmentedVectors s : new SegmentedVectors[] {index.spans(), index.sentences()}) {
            int lists = s.ivf() == null ? 0 : s.ivf().lists();
            b.putInt(s.table().size()).putInt(s.ids().length).putInt(lists);
            payload += sectionBytes(s.table().size(), s.ids().length, lists, index.dimension(), index.poolSize());
        }
        b.putLong(payload + 4);
        return b.array();
    }

    private static long sectionBytes(long vectors, long ids, long lists, long d, long n) {
        return 4 * (vectors * d + (n + 1) + ids + (lists > 0 ? lists * d + lists + 1 : 0));
    }

    /**
     * @param file the file
     * @param expected what it must match, or null to accept any encoder and pool
     * @return the index
     * @throws El4nerConfigurationException naming the file, if it was built with another encoder, span mode or
     *     pool, cannot be read, is not a span index, has another version, is truncated or corrupt: like a
     *     malformed configuration file, a damaged index is a problem of the configured {@code index} path, fixed by
     *     deleting it (it is rebuilt) or pointing {@code index} at another file
     */
    public static PoolIndex load(Path file, Expected expected) {
        Path abs = file.toAbsolutePath();
        String name = "span index " + abs;
        try (FileChannel ch = FileChannel.open(abs, StandardOpenOption.READ)) {
            long size = ch.size();
            Reader r = new Reader(ch, name);
            int prefix = (int) Math.min(size, MAGIC.length);
            byte[] magic = r.bytes(prefix, size);
            if (!Arrays.equals(magic, Arrays.copyOf(MAGIC, prefix)) || size == 0) {
                throw new El4nerConfigurationException(name + " is not an el4ner span index (wrong magic bytes); delete it or "
                        + "point 'index' at another file");
            }
            if (prefix < MAGIC.length) {
                throw new El4nerConfigurationException(name + " is truncated (" + size + " bytes)");
            }
            int version = r.int32();
            if (version != VERSION) {
                throw new El4nerConfigurationException(name + " has format version " + version + "; this el4ner reads version "
                        + VERSION + ". Delete it to rebuild it.");
            }
            int headerLength = r.int32();
            if (headerLength < 0 || headerLength > 1 << 20 || headerLength > size) {
                throw new El4nerConfigurationException(name + " is corrupt (impossible header length " + headerLength + ")");
            }
            byte[] header = r.bytes(headerLength, size);
            int headerCrc = r.int32();
            CRC32 crc = new CRC32();
            crc.update(header);
            if ((int) crc.getValue() != headerCrc) {
                throw new El4nerConfigurationException(name + " is corrupt (header checksum mismatch)");
            }
            ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            String identity;
            int d;
            int modeOrdinal;
            byte[] fingerprint = new byte[32];
            int n;
            int[][] counts = new int[2][3];
            long payload;
            try {
                int idLength = h.getInt();
                if (idLength < 0 || idLength > h.remaining()) {
                    throw new El4nerConfigurationException(name + " is corrupt (impossible identity length " + idLength + ")");
                }
                byte[] id = new byte[idLength];
                h.get(id);
                identity = new String(id, StandardCharsets.UTF_8);
                d = h.getInt();
                modeOrdinal = h.getInt();
                h.get(fingerprint);
                n = h.getInt();
                for (int[] c : counts) {
                    c[0] = h.getInt();
                    c[1] = h.getInt();
                    c[2] = h.getInt();
                }
                payload = h.getLong();
            } catch (java.nio.BufferUnderflowException e) {
                throw new El4nerConfigurationException(name + " is corrupt (header too short)", e);
            }
            if (d < 1 || n < 1 || modeOrdinal < 0 || modeOrdinal >= PoolIndex.SpanMode.values().length
                    || Arrays.stream(counts).flatMapToInt(Arrays::stream).anyMatch(x -> x < 0)) {
                throw new El4nerConfigurationException(name + " is corrupt (impossible header values)");
            }
            long expectedPayload = 4;
            for (int[] c : counts) {
                expectedPayload += sectionBytes(c[0], c[1], c[2], d, n);
            }
            long expectedSize = MAGIC.length + 4 + 4 + headerLength + 4 + expectedPayload;
            if (payload != expectedPayload) {
                throw new El4nerConfigurationException(name + " is corrupt (payload length " + payload + " does not match its "
                        + "header)");
            }
            if (size < expectedSize) {
                throw new El4nerConfigurationException(name + " is truncated: its header announces " + expectedSize
                        + " bytes, the file has " + size);
            }
            if (size > expectedSize) {
                throw new El4nerConfigurationException(name + " is corrupt: " + (size - expectedSize)
                        + " unexpected bytes after the index");
            }
            PoolIndex.SpanMode mode = PoolIndex.SpanMode.values()[modeOrdinal];
            if (expected != null) {
                String fix = " Delete the file to rebuild it, or point 'index' at another file.";
                if (!identity.equals(expected.encoderIdentity())) {
                    throw new El4nerConfigurationException(name + " was built with sentence encoder '" + identity
                            + "', but the retriever's encoder is '" + expected.encoderIdentity() + "'; vectors of "
                            + "different encoders cannot be compared." + fix);
                }
                if (d != expected.dimension()) {
                    throw new El4nerConfigurationException(name + " holds vectors of dimension " + d
                            + ", but the encoder makes vectors of dimension " + expected.dimension() + "." + fix);
                }
                if (mode != expected.mode()) {
                    throw new El4nerConfigurationException(name + " was built with spanVectors '" + mode.configName()
                            + "', but the retriever uses '" + expected.mode().configName() + "'." + fix);
                }
                if (!Arrays.equals(fingerprint, expected.poolFingerprint())) {
                    throw new El4nerConfigurationException(name + " was built for a different demonstration pool "
                            + "(pool fingerprint " + HexFormat.of().formatHex(fingerprint, 0, 8) + "…, this pool "
                            + HexFormat.of().formatHex(expected.poolFingerprint(), 0, 8) + "…)." + fix);
                }
            }
            r.crc.reset();
            SegmentedVectors[] sets = new SegmentedVectors[2];
            float[][] rows = new float[2][];
            int[][] starts = new int[2][];
            int[][] ids = new int[2][];
            float[][] centroids = new float[2][];
            int[][] lists = new int[2][];
            for (int s = 0; s < 2; s++) {
                rows[s] = r.floats(Math.multiplyExact(counts[s][0], d));
                starts[s] = r.ints(n + 1);
                ids[s] = r.ints(counts[s][1]);
                if (counts[s][2] > 0) {
                    centroids[s] = r.floats(Math.multiplyExact(counts[s][2], d));
                    lists[s] = r.ints(counts[s][2] + 1);
                }
            }
            int payloadCrc = (int) r.crc.getValue();
            if (r.int32() != payloadCrc) {
                throw new El4nerConfigurationException(name + " is corrupt (checksum mismatch)");
            }
            try {
                for (int s = 0; s < 2; s++) {
                    IvfIndex ivf = centroids[s] == null ? null : new IvfIndex(centroids[s], d, lists[s]);
                    sets[s] = SegmentedVectors.of(VectorTable.ofRows(rows[s], d), starts[s], ids[s], ivf);
                }
                return new PoolIndex(identity, mode, fingerprint, sets[0], sets[1]);
            } catch (IllegalArgumentException e) {
                throw new El4nerConfigurationException(name + " is corrupt: " + e.getMessage(), e);
            }
        } catch (EOFException e) {
            throw new El4nerConfigurationException(name + " is truncated", e);
        } catch (IOException e) {
            throw new El4nerConfigurationException("cannot read " + name + ": " + e, e);
        } catch (ArithmeticException e) {
            throw new El4nerConfigurationException(name + " is corrupt or too large to load: " + e, e);
        }
    }

    /** Buffered little-endian writes with a running CRC. */
    private static final class Writer {
        private final FileChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32 crc = new CRC32();

        Writer(FileChannel ch) {
            this.ch = ch;
        }

        private void room(int n) throws IOException {
            if (buf.remaining() < n) {
                flush();
            }
        }

        void flush() throws IOException {
            buf.flip();
            ByteBuffer view = buf.duplicate();
            crc.update(view);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            buf.clear();
        }

        void bytes(byte[] b) throws IOException {
            room(b.length);
            buf.put(b);
        }

        void int32(int x) throws IOException {
            room(4);
            buf.putInt(x);
        }

        /** Writes an int outside the checksum (the checksum itself). */
        void int32Raw(int x) throws IOException {
            flush();
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(x).flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }

        void floats(float[] a) throws IOException {
            int i = 0;
            while (i < a.length) {
                room(4);
                int m = Math.min(a.length - i, buf.remaining() / 4);
                buf.asFloatBuffer().put(a, i, m);
                buf.position(buf.position() + 4 * m);
                i += m;
            }
        }

        void ints(int[] a) throws IOException {
            int i = 0;
            while (i < a.length) {
                room(4);
                int m = Math.min(a.length - i, buf.remaining() / 4);
                buf.asIntBuffer().put(a, i, m);
                buf.position(buf.position() + 4 * m);
                i += m;
            }
        }
    }

    /** Buffered little-endian reads with a running CRC. */
    private static final class Reader {
        private final FileChannel ch;
        private final String name;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32 crc = new CRC32();

        Reader(FileChannel ch, String name) {
            this.ch = ch;
            this.name = name;
            buf.limit(0);
        }

        private void need(int n) throws IOException {
            if (buf.remaining() >= n) {
                return;
            }
            buf.compact();
            while (buf.position() < n) {
                if (ch.read(buf) < 0) {
                    throw new EOFException(name + " ended early");
                }
            }
            buf.flip();
        }

        private void consumed(int from, int n) {
            ByteBuffer v = buf.duplicate();
            v.position(from).limit(from + n);
            crc.update(v);
        }

        byte[] bytes(int n, long fileSize) throws IOException {
            if (n > fileSize) {
                throw new EOFException(name + " ended early");
            }
            byte[] out = new byte[n];
            int i = 0;
            while (i < n) {
                need(1);
                int m = Math.min(n - i, buf.remaining());
                int from = buf.position();
                buf.get(out, i, m);
                consumed(from, m);
                i += m;
            }
            return out;
        }

        int int32() throws IOException {
            need(4);
            int from = buf.position();
            int x = buf.getInt();
            consumed(from, 4);
            return x;
        }

        float[] floats(int n) throws IOException {
            float[] out = new float[n];
            int i = 0;
            while (i < n) {
                need(4);
                int m = Math.min(n - i, buf.remaining() / 4);
                int from = buf.position();
                buf.asFloatBuffer().get(out, i, m);
                buf.position(from + 4 * m);
                consumed(from, 4 * m);
                i += m;
            }
            return out;
        }

        int[] ints(int n) throws IOException {
            int[] out = new int[n];
            int i = 0;
            while (i < n) {
                need(4);
                int m = Math.min(n - i, buf.remaining() / 4);
                int from = buf.position();
                buf.asIntBuffer().get(out, i, m);
                buf.position(from + 4 * m);
                consumed(from, 4 * m);
                i += m;
            }
            return out;
        }
    }
}
