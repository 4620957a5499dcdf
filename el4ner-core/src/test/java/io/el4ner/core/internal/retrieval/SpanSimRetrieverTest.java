package io.el4ner.core.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.el4ner.api.Demonstration;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.El4nerException;
import io.el4ner.api.TextRange;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.Retriever;
import io.el4ner.api.spi.RetrieverProvider;
import io.el4ner.api.spi.SentenceEncoder;
import io.el4ner.core.internal.Providers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpanSimRetrieverTest {
    static final List<Demonstration> POOL = IndexFileTest.POOL;
    static final Demonstration FOOTBALL = POOL.get(0);
    static final Demonstration POLITICS = POOL.get(1);
    static final Demonstration MARKETS = POOL.get(2);
    static final Demonstration NOTHING = POOL.get(3);
    static final Demonstration PARIS = POOL.get(4);
    static final Map<String, Object> TRIGRAM = Map.of("provider", "test-trigram");

    @TempDir
    Path dir;

    static Retriever create(List<Demonstration> pool, Map<String, Object> parameters) {
        Map<String, Object> p = new HashMap<>(parameters);
        p.putIfAbsent("encoder", TRIGRAM);
        RetrieverProvider provider = Providers.byName(RetrieverProvider.class, "span-sim",
                SpanSimRetrieverTest.class.getClassLoader());
        return provider.create(new ComponentConfig("retriever span-sim", p, List.of(), pool));
    }

    @Test
    void retrieve_ranksBySharedSpans() {
        try (Retriever r = create(POOL, Map.of())) {
            // "Merkel" is a gold span of POLITICS and PARIS; "Berlin" only of POLITICS
            assertThat(r.retrieve("Yesterday Merkel visited Berlin.", List.of("Merkel", "Berlin"), 2))
                    .containsExactly(POLITICS, PARIS);
            assertThat(r.retrieve("Chelsea won.", List.of("Chelsea"), 1)).containsExactly(FOOTBALL);
            assertThat(r.retrieve("anything", List.of("London"), 0)).isEmpty();
            // k above the pool size: every sentence, those without gold spans scoring 0
            assertThat(r.retrieve("Chelsea won.", List.of("Chelsea"), 10)).hasSize(5).contains(NOTHING);
        }
    }

    @Test
    void retrieve_weightsProperNounsAboveCommonNouns() {
        // "Chelsea" (proper noun, 4) matches FOOTBALL, "macron" (lower case: a common noun, 2) matches POLITICS
        List<String> spans = List.of("Chelsea", "macron");
        try (Retriever r = create(POOL, Map.of())) {
            assertThat(r.retrieve("Chelsea and macron.", spans, 2)).containsExactly(FOOTBALL, POLITICS);
        }
        try (Retriever r = create(POOL, Map.of("weights", Map.of("commonNoun", 10)))) {
            assertThat(r.retrieve("Chelsea and macron.", spans, 2)).containsExactly(POLITICS, FOOTBALL);
        }
    }

    /** Vectors that depend on the call: each text's trigram vector tilted by the call's size (alone: untilted). */
    static final class BatchSensitiveEncoder implements SentenceEncoder {
        private final TrigramEncoder trigrams = new TrigramEncoder(32);

        @Override
        public String identity() {
            return "test-batch-sensitive";
        }

        @Override
        public int dimension() {
            return 32;
        }

        @Override
        public List<float[]> encode(List<String> texts) {
            List<float[]> out = new ArrayList<>();
            for (String t : texts) {
                float[] v = TrigramEncoder.vector(t, 32);
                v[0] += 0.05f * (texts.size() - 1);
                out.add(v);
            }
            return out;
        }

        @Override
        public List<float[]> encodeSpans(String sentence, List<TextRange> spans) {
            return trigrams.encodeSpans(sentence, spans);
        }
    }

    @Test
    void search_textSpanVectors_sameTextMeetsTheSameVector() {
        for (int cache : new int[] {0, 100}) {
            SpanSimOptions o = SpanSimOptions.defaults();
            SpanSimOptions options = new SpanSimOptions(PoolIndex.SpanMode.TEXT, o.weigher(),
                    null, false, 1, o.approximate(), o.probes(), cache);
            try (SpanSimRetriever r = new SpanSimRetriever(POOL, new BatchSensitiveEncoder(), true, options)) {
                // "Merkel" is a gold span of the pool, encoded with all the pool's other span texts; a query span of
                // the same text must meet exactly its vector (score 1), alone or with other query spans
                Hits one = r.search("Merkel spoke.", List.of("Merkel"), 1);
                assertThat(one.score(0)).as("cache %d", cache).isCloseTo(1f, within(1e-6f));
                Hits two = r.search("Merkel met Chelsea fans.", List.of("Merkel", "Chelsea"), 5);
                Hits again = r.search("Merkel met Chelsea fans.", List.of("Merkel", "Chelsea"), 5);
                assertThat(again).isEqualTo(two);
                assertThat(two.score(0)).isGreaterThan(0.5f);
            }
        }
    }

    @Test
    void retrieve_fallsBackToWholeSentencesWithoutWeightedSpans() {
        try (SpanSimRetriever r = (SpanSimRetriever) create(POOL, Map.of())) {
            Hits none = r.search("Shares fell in London today.", List.of(), 1);
            assertThat(none.index(0)).isEqualTo(2);
            // "1996" and "the" weigh 0: same as no spans
            assertThat(r.search("Shares fell in London today.", List.of("1996", "the", " "), 5))
                    .isEqualTo(r.search("Shares fell in London today.", List.of(), 5));
        }
    }

    @Test
    void retrieve_neverReturnsTheSentenceItself() {
        try (Retriever r = create(POOL, Map.of())) {
            assertThat(r.retrieve("  Merkel met Macron in Berlin. ", List.of("Merkel", "Berlin"), 5))
                    .hasSize(4).doesNotContain(POLITICS).first().isEqualTo(PARIS);
            assertThat(r.retrieve("Merkel met Macron in Berlin.", List.of(), 5)).doesNotContain(POLITICS);
        }
    }

    @Test
    void retrieve_isTheSameWithEveryScan() {
        List<String> spans = List.of("Merkel", "London", "their");
        String s = "Their Merkel and London story.";
        List<Demonstration> exact;
        try (Retriever r = create(POOL, Map.of("threads", 1))) {
            exact = r.retrieve(s, spans, 5);
        }
        for (Map<String, Object> p : List.<Map<String, Object>>of(Map.of("threads", 4), Map.of("quantize", true),
                Map.of("approximate", "always"), Map.of("approximate", "never", "quantize", true, "threads", 3))) {
            try (Retriever r = create(POOL, p)) {
                assertThat(r.retrieve(s, spans, 5)).as(p.toString()).isEqualTo(exact);
            }
        }
    }

    @Test
    void retrieve_contextSpanVectors_encodesSpansInTheirSentences() {
        try (SpanSimRetriever r = (SpanSimRetriever) create(POOL, Map.of("spanVectors", "context"))) {
            assertThat(r.index().mode()).isEqualTo(PoolIndex.SpanMode.CONTEXT);
            assertThat(r.retrieve("Merkel visited Berlin.", List.of("Merkel", "Berlin", "Bonn"), 1))
                    .containsExactly(POLITICS);
        }
    }

    @Test
    void create_indexFile_isSavedThenLoadedWithoutEncodingThePool() {
        Path f = dir.resolve("pool.idx");
        List<Demonstration> first;
        try (Retriever r = create(POOL, Map.of("index", f.toString()))) {
            first = r.retrieve("Merkel in Berlin", List.of("Merkel", "Berlin"), 3);
        }
        assertThat(f).exists();
        int before = TrigramEncoder.ENCODED.get();
        try (Retriever r = create(POOL, Map.of("index", f.toString()))) {
            assertThat(TrigramEncoder.ENCODED.get() - before).isZero();
            assertThat(r.retrieve("Merkel in Berlin", List.of("Merkel", "Berlin"), 3)).isEqualTo(first);
        }
        // another encoder: an error, and the file is left alone
        long size = f.toFile().length();
        assertThatThrownBy(() -> create(POOL, Map.of("index", f.toString(),
                "encoder", Map.of("provider", "test-trigram", "parameters", Map.of("dimension", 48)))))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining(f.toAbsolutePath().toString())
                .hasMessageContaining("test-trigram/dim=64")
                .hasMessageContaining("test-trigram/dim=48");
        // another pool: an error too
        assertThatThrownBy(() -> create(POOL.subList(0, 3), Map.of("index", f.toString())))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("different demonstration pool");
        assertThat(f.toFile().length()).isEqualTo(size);
    }

    @Test
    void create_corruptIndexFile_throwsNamingIt() throws Exception {
        Path f = dir.resolve("pool.idx");
        create(POOL, Map.of("index", f.toString())).close();
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x40;
        Files.write(f, b);
        assertThatThrownBy(() -> create(POOL, Map.of("index", f.toString()))).isInstanceOf(El4nerException.class)
                .hasMessageContaining(f.toAbsolutePath().toString()).hasMessageContaining("corrupt");
    }

    @Test
    void create_encoderOfTheWrongDimension_throws() {
        assertThatThrownBy(() -> create(POOL, Map.of("encoder", Map.of("provider", "test-trigram",
                "parameters", Map.of("dimension", 16, "reportedDimension", 24)))))
                .isInstanceOf(El4nerException.class).hasMessageContaining("dimension 16")
                .hasMessageContaining("reports dimension 24");
    }

    @Test
    void close_closesTheEncoderItOwnsOnceAndLeavesAGivenOneOpen() {
        TrigramEncoder given = new TrigramEncoder(32);
        SpanSimRetriever r = new SpanSimRetriever(POOL, given, false, SpanSimOptions.defaults());
        r.close();
        r.close();
        assertThat(given.closeCount()).isZero();
        assertThatThrownBy(() -> r.retrieve("x", List.of(), 1)).isInstanceOf(IllegalStateException.class);
        SpanSimRetriever owner = new SpanSimRetriever(POOL, given, true, SpanSimOptions.defaults());
        owner.close();
        owner.close();
        assertThat(given.closeCount()).isEqualTo(1);
    }

    @Test
    void retrieve_spanCache_encodesARepeatedQuerySpanOnceAndChangesNoResult() {
        try (Retriever cached = create(POOL, Map.of());
             Retriever uncached = create(POOL, Map.of("spanCache", 0))) {
            List<List<String>> queries = List.of(List.of("Merkel", "Berlin"), List.of("Berlin"),
                    List.of("Berlin", "Merkel", "Paris"), List.of("Merkel", "Berlin"));
            int[] encodedCached = new int[queries.size()];
            int[] encodedUncached = new int[queries.size()];
            for (int i = 0; i < queries.size(); i++) {
                String sentence = String.join(" and ", queries.get(i)) + " again.";
                int before = TrigramEncoder.ENCODED.get();
                List<Demonstration> a = cached.retrieve(sentence, queries.get(i), 3);
                int middle = TrigramEncoder.ENCODED.get();
                List<Demonstration> b = uncached.retrieve(sentence, queries.get(i), 3);
                encodedCached[i] = middle - before;
                encodedUncached[i] = TrigramEncoder.ENCODED.get() - middle;
                assertThat(a).as("query %d", i).isEqualTo(b);
            }
            // only spans never seen before are encoded; without the cache every span of every query is
            assertThat(encodedCached).containsExactly(2, 0, 1, 0);
            assertThat(encodedUncached).containsExactly(2, 1, 3, 2);
        }
    }

    @Test
    void retrieve_customWeigher_decidesTheRanking() {
        SpanSimOptions o = SpanSimOptions.defaults();
        SpanSimOptions onlyLondon = new SpanSimOptions(o.spanMode(),
                s -> s.equals("London") ? 1 : 0, null, false, 1, o.approximate(), o.probes());
        try (SpanSimRetriever r = new SpanSimRetriever(POOL, new TrigramEncoder(32), true, onlyLondon)) {
            // "Merkel" weighs 0 here, so London decides
            assertThat(r.retrieve("Merkel in London", List.of("Merkel", "London"), 1)).containsExactly(FOOTBALL);
        }
        assertThat(EnglishSpanWeigher.DEFAULT.weight("Merkel")).isEqualTo(4);
    }
}
