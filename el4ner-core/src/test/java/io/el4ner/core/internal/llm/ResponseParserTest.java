package io.el4ner.core.internal.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.TypedSpan;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseParserTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"entities\": [\"Angela Merkel\", \"Paris\"]}",
        "```json\n{\"entities\": [\"Angela Merkel\", \"Paris\"]}\n```",
        "Sure! Here are the entities:\n{\"entities\": [\"Angela Merkel\", \"Paris\"]}\nLet me know if you need more.",
        "{'entities': ['Angela Merkel', 'Paris',]}",
        "[\"Angela Merkel\", \"Paris\"]",
        "1. Angela Merkel\n2. Paris",
        "Entities:\n- Angela Merkel\n- Paris",
        "* Angela Merkel\n* Paris",
        "[CLS]Angela Merkel[SEP]Paris[SEP]",
        "{\"entities\": [{\"text\": \"Angela Merkel\", \"type\": \"PER\"}, {\"span\": \"Paris\"}]}",
        "{\"Angela Merkel\": \"PER\", \"Paris\": \"LOC\"}",
        "Answer: {entities: [\"Angela Merkel\", \"Paris\"]} // done",
    })
    void spans_readsWhatSmallModelsProduce(String answer) {
        var parsed = ResponseParser.spans(answer);
        assertThat(parsed.parsed()).isTrue();
        assertThat(parsed.value()).containsExactly("Angela Merkel", "Paris");
    }

    /** Found by AnswerContractParserPropertyTest: a fence inside a JSON string cut the answer at it. */
    @Test
    void spansAndLabels_aCodeFenceInsideAJsonStringIsNotAFence() {
        assertThat(ResponseParser.spans("{\"entities\": [\"a ```b``` c\", \"```json\\nx\"]}").value())
                .containsExactly("a ```b``` c", "```json\nx");
        var labels = ResponseParser.labels("{\"labels\": [{\"span\": \"x\", \"type\": \"\\\\```\"}]}");
        assertThat(labels.problems()).isEmpty();
        assertThat(labels.value()).containsExactly(new TypedSpan("x", "\\```"));
        // a fenced answer whose JSON is readable only inside the fence is still read
        assertThat(ResponseParser.spans("{```json\n{\"entities\": [\"a\"]}\n```").value()).containsExactly("a");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"entities\": []}", "[]", "None", "No entities.", "```json\n[]\n```"})
    void spans_emptyAnswers(String answer) {
        var parsed = ResponseParser.spans(answer);
        assertThat(parsed.parsed()).isTrue();
        assertThat(parsed.value()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"I think the sentence talks about a politician in France.", "", "   ",
        "Angela Merkel, Paris"})
    void spans_garbageIsReportedNotGuessed(String answer) {
        var parsed = ResponseParser.spans(answer);
        assertThat(parsed.parsed()).isFalse();
        assertThat(parsed.value()).isEmpty();
        assertThat(parsed.problems()).isNotEmpty();
    }

    @Test
    void spans_unreadableItemsAreReported() {
        var parsed = ResponseParser.spans("{\"entities\": [\"Paris\", 42, {\"x\": 1}]}");
        assertThat(parsed.value()).containsExactly("Paris");
        assertThat(parsed.problems()).hasSize(2);
    }

    @Test
    void spans_apostropheInsideWordDoesNotOpenAString() {
        var parsed = ResponseParser.spans("The answer is [\"O'Neil\", \"Paris\"] as requested");
        assertThat(parsed.value()).containsExactly("O'Neil", "Paris");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"labels\": [{\"span\": \"Paris\", \"type\": \"LOC\"}, {\"span\": \"Merkel\", \"type\": \"PER\"}]}",
        "[{\"text\": \"Paris\", \"label\": \"LOC\"}, {\"entity\": \"Merkel\", \"entity_type\": \"PER\"}]",
        "{\"Paris\": \"LOC\", \"Merkel\": \"PER\"}",
        "```\nParis: LOC\nMerkel: PER\n```",
        "1. Paris -> LOC\n2. Merkel -> PER",
        "[CLS]Paris[SEP]LOC[CLS]Merkel[SEP]PER",
        "[[\"Paris\", \"LOC\"], [\"Merkel\", \"PER\"]]",
        "Here you go: {'labels': [{'span': 'Paris', 'type': 'LOC'}, {'span': 'Merkel', 'type': 'PER'},]}",
    })
    void labels_readsCommonShapes(String answer) {
        var parsed = ResponseParser.labels(answer);
        assertThat(parsed.parsed()).isTrue();
        assertThat(parsed.value()).containsExactly(new TypedSpan("Paris", "LOC"), new TypedSpan("Merkel", "PER"));
    }

    @Test
    void labels_nullTypeMeansNotAnEntity() {
        var parsed = ResponseParser.labels("{\"labels\": [{\"span\": \"today\", \"type\": null}]}");
        assertThat(parsed.value()).containsExactly(new TypedSpan("today", "NONE"));
    }

    @Test
    void labels_garbage() {
        assertThat(ResponseParser.labels("These are all locations, I believe.").parsed()).isFalse();
    }

    @Test
    void verdicts_readsShapesAndIsStrictAboutBooleans() {
        List<TypedSpan> asked = List.of(new TypedSpan("Paris", "LOC"), new TypedSpan("Merkel", "PER"));
        var parsed = ResponseParser.verdicts("{\"verdicts\": [{\"span\": \"Paris\", \"type\": \"LOC\", \"valid\": true},"
                + " {\"span\": \"Merkel\", \"type\": \"PER\", \"valid\": \"no\"}]}", asked);
        assertThat(parsed.value()).extracting(ResponseParser.Judgement::valid).containsExactly(true, false);

        var lines = ResponseParser.verdicts("Paris: true\nMerkel: untrue", asked);
        assertThat(lines.value()).containsExactly(new ResponseParser.Judgement("Paris", "", true));
        assertThat(lines.problems()).hasSize(1);

        var bare = ResponseParser.verdicts("True.", List.of(asked.get(0)));
        assertThat(bare.value()).containsExactly(new ResponseParser.Judgement("Paris", "LOC", true));
        assertThat(ResponseParser.verdicts("True.", asked).parsed()).isFalse();
    }
}
