package io.el4ner.core.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.Demonstration;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.LabeledSpan;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IndexFileTest {
    static final List<Demonstration> POOL = List.of(
            demo("Arsenal beat Chelsea in London.", "Arsenal", "Chelsea", "London"),
            demo("Merkel met Macron in Berlin.", "Merkel", "Macron", "Berlin"),
            demo("Shares fell in London.", "London"),
            demo("Nothing to see here."),
            demo("Merkel spoke in Paris.", "Merkel", "Paris"));

    @TempDir
    Path dir;

    static Demonstration demo(String text, String... spans) {
        List<LabeledSpan> ls = new ArrayList<>();
        for (String s : spans) {
            int at = text.indexOf(s);
            ls.add(new LabeledSpan(at, at + s.length(), "X"));
        }
        return new Demonstration(text, ls);
    }

    static IndexFile.Expected expected(PoolIndex idx) {
        return new IndexFile.Expected(idx.encoderIdentity(), idx.dimension(), idx.mode(), idx.poolFingerprint());
    }

    private PoolIndex built() {
        return PoolIndex.build(POOL, new TrigramEncoder(32), PoolIndex.SpanMode.TEXT);
    }

    @Test
    void build_deduplicatesSpansAndSentences() {
        PoolIndex idx = built();
        assertThat(idx.poolSize()).isEqualTo(5);
        // Arsenal, Chelsea, London, Merkel, Macron, Berlin, Paris
        assertThat(idx.spans().table().size()).isEqualTo(7);
        assertThat(idx.spans().ids()).hasSize(9);
        assertThat(idx.sentences().table().size()).isEqualTo(5);
        assertThat(idx.spans().starts()).containsExactly(0, 3, 6, 7, 7, 9);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void load_savedIndex_roundTripsExactly(boolean withIvf) {
        PoolIndex idx = built();
        if (withIvf) {
            try (Parallel p = new Parallel(2)) {
                idx = idx.withApproximateIndex(p);
            }
        }
        Path f = dir.resolve("sub/pool.idx");
        IndexFile.save(idx, f);
        PoolIndex back = IndexFile.load(f, expected(idx));
        assertThat(back.encoderIdentity()).isEqualTo(idx.encoderIdentity());
        assertThat(back.mode()).isEqualTo(idx.mode());
        assertThat(back.poolFingerprint()).isEqualTo(idx.poolFingerprint());
        for (SegmentedVectors[] pair : new SegmentedVectors[][] {{idx.spans(), back.spans()},
                {idx.sentences(), back.sentences()}}) {
            assertThat(pair[1].table().rows()).containsExactly(pair[0].table().rows());
            assertThat(pair[1].starts()).containsExactly(pair[0].starts());
            assertThat(pair[1].ids()).containsExactly(pair[0].ids());
            assertThat(pair[1].ivf() != null).isEqualTo(withIvf);
            if (withIvf) {
                assertThat(pair[1].ivf().lists()).isEqualTo(pair[0].ivf().lists());
            }
        }
        float[][] q = {TrigramEncoder.vector("Merkel", 32)};
        try (Parallel p = new Parallel(1)) {
            assertThat(ExactScan.search(back.spans(), q, new float[] {1}, 5, new int[0], p))
                    .isEqualTo(ExactScan.search(idx.spans(), q, new float[] {1}, 5, new int[0], p));
        }
        assertThat(dir.resolve("sub").toFile().list()).containsExactly("pool.idx");
    }

    @Test
    void load_rejectsAnotherEncoderPoolOrSpanMode() {
        PoolIndex idx = built();
        Path f = dir.resolve("pool.idx");
        IndexFile.save(idx, f);
        IndexFile.Expected e = expected(idx);
        assertThatThrownBy(() -> IndexFile.load(f, new IndexFile.Expected("other-model", e.dimension(), e.mode(),
                e.poolFingerprint()))).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining(f.toAbsolutePath().toString())
                .hasMessageContaining("'test-trigram/dim=32'").hasMessageContaining("'other-model'");
        assertThatThrownBy(() -> IndexFile.load(f, new IndexFile.Expected(e.encoderIdentity(), 64, e.mode(),
                e.poolFingerprint()))).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("dimension 32").hasMessageContaining("dimension 64");
        assertThatThrownBy(() -> IndexFile.load(f, new IndexFile.Expected(e.encoderIdentity(), e.dimension(),
                PoolIndex.SpanMode.CONTEXT, e.poolFingerprint()))).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("'text'").hasMessageContaining("'context'");
        byte[] otherPool = PoolIndex.fingerprint(POOL.subList(0, 4));
        assertThatThrownBy(() -> IndexFile.load(f, new IndexFile.Expected(e.encoderIdentity(), e.dimension(),
                e.mode(), otherPool))).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("different demonstration pool");
    }

    @Test
    void load_rejectsForeignFiles() throws IOException {
        Path f = dir.resolve("foreign.idx");
        Files.writeString(f, "{\"this\": \"is json\"}");
        assertThatThrownBy(() -> IndexFile.load(f, null)).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining(f.toAbsolutePath().toString()).hasMessageContaining("not an el4ner span index");
        Files.write(f, new byte[0]);
        assertThatThrownBy(() -> IndexFile.load(f, null)).isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("not an el4ner span index");
        Files.write(f, "EL4N".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> IndexFile.load(f, null)).hasMessageContaining("truncated");
        assertThatThrownBy(() -> IndexFile.load(dir.resolve("missing.idx"), null))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("missing.idx");
    }

    @Test
    void load_rejectsAnotherVersion() throws IOException {
        Path f = dir.resolve("pool.idx");
        IndexFile.save(built(), f);
        byte[] b = Files.readAllBytes(f);
        assertThat(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(8)).isEqualTo(2);
        for (int other : new int[] {1, 3}) {
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, other);
            Files.write(f, b);
            assertThatThrownBy(() -> IndexFile.load(f, null)).isInstanceOf(El4nerConfigurationException.class)
                    .hasMessageContaining(f.toString()).hasMessageContaining("format version " + other)
                    .hasMessageContaining("reads version 2").hasMessageContaining("Delete it to rebuild it");
        }
    }

    @Test
    void load_rejectsEveryTruncation() throws IOException {
        Path f = dir.resolve("pool.idx");
        IndexFile.save(built(), f);
        byte[] b = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.idx");
        for (int len : new int[] {9, 12, 16, 40, b.length / 2, b.length - 5, b.length - 1}) {
            Files.write(cut, Arrays.copyOf(b, len));
            assertThatThrownBy(() -> IndexFile.load(cut, null)).as("cut at %d", len)
                    .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining(cut.toAbsolutePath().toString())
                    .hasMessageMatching("(?s).*(truncated|corrupt).*");
        }
        byte[] longer = Arrays.copyOf(b, b.length + 3);
        Files.write(cut, longer);
        assertThatThrownBy(() -> IndexFile.load(cut, null)).hasMessageContaining("unexpected bytes");
    }

    @Test
    void load_rejectsEveryFlippedByte() throws IOException {
        Path f = dir.resolve("pool.idx");
        PoolIndex idx = built();
        IndexFile.save(idx, f);
        byte[] b = Files.readAllBytes(f);
        Path bad = dir.resolve("bad.idx");
        int step = Math.max(1, b.length / 400);
        for (int i = 0; i < b.length; i += step) {
            byte[] c = b.clone();
            c[i] ^= 0x10;
            Files.write(bad, c);
            // never a result: an error naming the file (a flipped identity byte reads as another encoder)
            assertThatThrownBy(() -> IndexFile.load(bad, expected(idx))).as("byte %d", i)
                    .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining(bad.toAbsolutePath().toString());
        }
        byte[] c = b.clone();
        c[b.length - 100] ^= 1;
        Files.write(bad, c);
        assertThatThrownBy(() -> IndexFile.load(bad, expected(idx))).hasMessageContaining("checksum mismatch");
    }
}
