package io.el4ner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonCheckerTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static List<String> problems(JsonChecker check) {
        try {
            check.throwIfAny(s -> s);
            return List.of();
        } catch (ConfigException e) {
            return e.problems();
        }
    }

    @Test
    void getters_severalProblems_collectsEveryOneWithItsPath() throws Exception {
        JsonNode root = json("{\"nmae\": 1, \"count\": \"x\", \"flag\": 3, \"items\": {}}");
        JsonChecker check = new JsonChecker("c.json");
        check.knownFields(root, "$", List.of("name", "count", "flag", "items"));
        assertThat(check.requiredString(root, "$", "name", "a label")).isNull();
        assertThat(check.integer(root.get("count"), "$.count", 1)).isNull();
        assertThat(check.bool(root.get("flag"), "$.flag")).isNull();
        assertThat(check.array(root.get("items"), "$.items", "an array")).isFalse();
        assertThat(problems(check)).containsExactly(
                "c.json: unknown field 'nmae' at $ (did you mean 'name'?); known fields: name, count, flag, items",
                "c.json: missing required field 'name' at $; add it: a label",
                "c.json: $.count must be an integer >= 1, got a string",
                "c.json: $.flag must be true or false, got an integer",
                "c.json: $.items must be an array, got an object");
    }

    @Test
    void getters_validValues_returnThemWithoutProblems() throws Exception {
        JsonNode root = json("{\"name\": \"a\", \"count\": 2, \"flag\": true}");
        JsonChecker check = new JsonChecker("c.json");
        assertThat(check.requiredString(root, "$", "name", "a label")).isEqualTo("a");
        assertThat(check.requiredInteger(root, "$", "count", 1)).isEqualTo(2);
        assertThat(check.bool(root.get("flag"), "$.flag")).isTrue();
        assertThat(check.string(root.get("absent"), "$.absent", true)).isNull();
        check.throwIfAny(s -> s);
    }

    @Test
    void wrongType_secretValue_namesTheKindNeverTheValue() throws Exception {
        JsonChecker check = new JsonChecker("c.json");
        check.integer(json("{\"k\": \"sk-secret-123\"}").get("k"), "$.k", 0);
        assertThat(problems(check)).singleElement().asString().contains("got a string")
                .doesNotContain("sk-secret-123");
    }

    @Test
    void integer_belowMinimum_isReportedWithTheValue() throws Exception {
        JsonChecker check = new JsonChecker("c.json");
        check.integer(json("0"), "$.n", 1);
        check.integer(json("1.5"), "$.m", 1);
        assertThat(problems(check)).containsExactly("c.json: $.n must be an integer >= 1, got 0",
                "c.json: $.m must be an integer >= 1, got a decimal number");
    }

    @Test
    void javaValue_nestedNull_isReportedWithItsPathAndLeftOut() throws Exception {
        JsonChecker check = new JsonChecker("c.json");
        Object value = check.javaValue(json("{\"a\": [1, null, 2.5], \"b c\": {\"d\": null}, \"e\": true}"), "$.p");
        assertThat(value).isEqualTo(Map.of("a", List.of(1, 2.5), "b c", Map.of(), "e", true));
        assertThat(problems(check)).containsExactly(
                "c.json: $.p.a[1] is null; parameters cannot be null: remove the field or give it a value",
                "c.json: $.p['b c'].d is null; parameters cannot be null: remove the field or give it a value");
    }

    @Test
    void withSource_problems_arePrefixedByThatSourceThenTheFirstAgain() {
        JsonChecker check = new JsonChecker("c.json");
        check.withSource("demos.jsonl", () -> check.problem("line 1: bad"));
        check.problem("$.x bad");
        assertThat(problems(check)).containsExactly("demos.jsonl: line 1: bad", "c.json: $.x bad");
    }

    @Test
    void throwIfAny_manyProblems_showsTheFirstAndCountsTheRest() {
        JsonChecker check = new JsonChecker("c.json");
        for (int i = 0; i < JsonChecker.MAX_PROBLEMS + 3; i++) {
            check.problem("problem " + i);
        }
        assertThatThrownBy(() -> check.throwIfAny(s -> s.replace("problem ", "p ")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).hasSize(JsonChecker.MAX_PROBLEMS + 1).startsWith("c.json: p 0");
                    assertThat(e.problems().get(JsonChecker.MAX_PROBLEMS)).isEqualTo(
                            "c.json: 3 more problems not shown");
                });
    }

    @Test
    void child_nameThatIsNotSimple_isQuoted() {
        assertThat(JsonChecker.child("$", "api_key")).isEqualTo("$.api_key");
        assertThat(JsonChecker.child("$.h", "X-Key's")).isEqualTo("$.h['X-Key\\'s']");
    }

    @Test
    void rejectMix_fieldsOfTheOtherShape_areEachReported() throws Exception {
        JsonChecker check = new JsonChecker("c.json");
        check.rejectMix(json("{\"provider\": \"p\", \"quorum\": 2, \"weights\": {}}"), "$.aggregator",
                List.of("quorum", "weights"), "a custom aggregator", "pass them in parameters");
        assertThat(problems(check)).containsExactly(
                "c.json: $.aggregator.quorum cannot be combined with a custom aggregator at $.aggregator; pass them "
                        + "in parameters",
                "c.json: $.aggregator.weights cannot be combined with a custom aggregator at $.aggregator; pass them "
                        + "in parameters");
    }
}
