package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.el4ner.api.ChatMessage;
import io.el4ner.api.El4nerConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders the real chat templates of Qwen2.5, Llama 3.2, SmolLM2 and Phi-3.5 (test resources
 * {@code io/el4ner/onnx/templates}) and compares them byte for byte with the renderings of Python jinja2 configured
 * as transformers configures it ({@code src/test/fixtures/render_templates.py}).
 */
class ChatTemplateTest {
    private static final String ROOT = "/io/el4ner/onnx/templates/";
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode cases() throws IOException {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream(ROOT + "cases.json")) {
            return JSON.readTree(in);
        }
    }

    static String resource(String name) throws IOException {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream(ROOT + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Stream<Arguments> renderings() throws IOException {
        JsonNode root = cases();
        List<Arguments> args = new ArrayList<>();
        for (Iterator<String> f = root.get("families").fieldNames(); f.hasNext(); ) {
            String family = f.next();
            for (Iterator<String> c = root.get("cases").fieldNames(); c.hasNext(); ) {
                args.add(Arguments.of(family, c.next()));
            }
        }
        assertThat(args).hasSize(4 * 7);
        return args.stream();
    }

    static List<ChatMessage> messages(JsonNode spec) {
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode m : spec.get("messages")) {
            messages.add(new ChatMessage(ChatMessage.Role.valueOf(m.get(0).asText().toUpperCase(Locale.ROOT)),
                    m.get(1).asText()));
        }
        return messages;
    }

    static ChatTemplate family(String family) throws IOException {
        JsonNode tokens = cases().get("families").get(family);
        return ChatTemplate.of(resource(family + ".jinja"), tokens.get("bos_token").textValue(),
                tokens.get("eos_token").textValue());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("renderings")
    void render_familyTemplates_rendersExactlyAsPythonJinja2(String family, String caseName) throws IOException {
        JsonNode spec = cases().get("cases").get(caseName);
        String rendered = family(family).render(messages(spec), spec.get("add_generation_prompt").asBoolean());
        assertThat(rendered).isEqualTo(resource("expected/" + family + "/" + caseName + ".txt"));
    }

    @Test
    void render_templateSyntaxInsideMessages_isPrintedNotEvaluated() throws IOException {
        String user = "{{ 7*7 }} {% if true %}yes{% endif %} {{ raise_exception('boom') }} {{ bos_token }}";
        for (String family : List.of("qwen2.5", "llama3.2", "smollm2", "phi3.5")) {
            String rendered = family(family).render(List.of(ChatMessage.user(user)), true);
            assertThat(rendered).as(family).contains(user).doesNotContain("49");
        }
        // the same text in the template itself is evaluated: the test above is not vacuous
        assertThat(ChatTemplate.of("{{ 7*7 }}{% if true %}yes{% endif %}", null, null).render(List.of(), false))
                .isEqualTo("49yes");
    }

    @Test
    void render_variables_areMessagesGenerationPromptAndSpecialTokens() {
        ChatTemplate t = ChatTemplate.of("{{ bos_token }}|{% for m in messages %}{{ m.role }}={{ m['content'] }};"
                + "{% endfor %}|{{ add_generation_prompt }}|{{ eos_token }}|{{ strftime_now is defined }}", "<s>", "</s>");
        assertThat(t.render(List.of(ChatMessage.system("s"), ChatMessage.user("u"),
                new ChatMessage(ChatMessage.Role.ASSISTANT, "a")), true))
                .isEqualTo("<s>|system=s;user=u;assistant=a;|true|</s>|false");
        assertThat(ChatTemplate.of("[{{ bos_token }}][{{ bos_token is defined }}]", null, "e").render(List.of(), false))
                .isEqualTo("[][false]");
    }

    @Test
    void render_templateRaises_failsWithItsOwnMessage() throws IOException {
        ChatTemplate t = ChatTemplate.of("{% for m in messages %}{% if m.role == 'assistant' %}"
                + "{{ raise_exception('Conversation roles must alternate user/assistant') }}{% endif %}"
                + "{{ m.content }}{% endfor %}", null, null);
        assertThat(t.render(List.of(ChatMessage.user("fine")), false)).isEqualTo("fine");
        assertThatThrownBy(() -> t.render(List.of(new ChatMessage(ChatMessage.Role.ASSISTANT, "x")), false))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessage("chat template raised an error: Conversation roles must alternate user/assistant");
    }

    @Test
    void render_llamaTemplateRaises_failsWithItsOwnErrorThroughTheRealTemplate() throws IOException {
        // Llama 3.2 raises when tools go into the first user message but there is none; tools are not a variable
        // el4ner sets, so emulate it with a wrapper that sets them.
        String llama = resource("llama3.2.jinja");
        ChatTemplate t = ChatTemplate.of("{%- set tools = [] %}" + llama, "<|begin_of_text|>", "<|eot_id|>");
        assertThatThrownBy(() -> t.render(List.of(ChatMessage.system("only a system message")), true))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("Cannot put tools in the first user message when there's no first user message!");
    }

    @Test
    void new_syntaxError_namesTheSource(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("chat_template.jinja"), "{% for m in messages %}{{ m.content }}");
        ChatTemplate t = ChatTemplate.fromModelDirectory(dir);
        assertThatThrownBy(() -> t.render(List.of(ChatMessage.user("x")), false))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining(dir.resolve("chat_template.jinja").toAbsolutePath().toString())
                .hasMessageContaining("failed to render");
    }

    /** What Python jinja2 3.1.2 (transformers' environment) does with each: raises, or renders. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
            "A{{ messages[0].content | nosuchfilter }}B => no filter named 'nosuchfilter'",
            "A{{ messages[0].content | upper | nosuchfilter }}B => no filter named 'nosuchfilter'",
            "A{% for m in messages | nosuchfilter %}{% endfor %}B => no filter named 'nosuchfilter'",
            "A{{ messages is nosuchtest }}B => no test named 'nosuchtest'",
            "A{{ messages[0].nosuchattr.deeper }}B => 'messages[0].nosuchattr' is undefined",
            "A{{ nosuchvar.x }}B => 'nosuchvar' is undefined",
            "A{{ nosuchvar['x'] }}B => 'nosuchvar' is undefined",
            "A{{ nosuchvar.strip() }}B => 'nosuchvar' is undefined",
            "A{{ messages[5].content }}B => 'messages[5]' is undefined",
            "A{% nosuchtag %}B => Unknown tag: nosuchtag",
            "A{{ nosuchfn('x') }}B => nosuchfn"})
    void whatJinja2Raises_fails(String template, String message) {
        assertThatThrownBy(() -> ChatTemplate.of(template, null, null).render(List.of(ChatMessage.user("hi")), true))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("chat template failed to render")
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
            "A{{ messages[0].nosuchattr }}B => AB",
            "A{{ nosuchvar }}B => AB",
            "A{{ nosuchvar | length }}B => A0B",
            "A{% if messages[0].tool_calls is defined or nosuchvar %}x{% endif %}B => AB",
            "A{% if false %}{{ messages | nosuchfilter }}{{ nosuchvar.x }}{% endif %}B => AB",
            "A{% set ns = namespace(n=1) %}{% set ns.n = ns.n + 1 %}{{ ns.n }}"
                    + "{{ messages[0]['content'].strip() }}B => A2hiB"})
    void whatJinja2Renders_renders(String template, String expected) {
        assertThat(ChatTemplate.of(template, null, null).render(List.of(ChatMessage.user("hi")), true))
                .isEqualTo(expected);
    }

    @Test
    @Timeout(60)
    void render_hugeOutput_failsClearly() {
        ChatTemplate t = ChatTemplate.of("{% for i in range(1000) %}{% for m in messages %}{{ m.content }}"
                + "{% endfor %}{% endfor %}", null, null);
        List<ChatMessage> big = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            big.add(ChatMessage.user("x".repeat(1000)));
        }
        assertThatThrownBy(() -> t.render(big, false))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("exceeds " + ChatTemplate.MAX_OUTPUT_CHARS + " characters");
    }

    @Test
    @Timeout(60)
    void render_endlessLoop_failsClearly() {
        ChatTemplate t = ChatTemplate.of("{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
                + "{% if false %}x{% endif %}{% endfor %}{% endfor %}{% endfor %}done", null, null);
        assertThatThrownBy(() -> t.render(List.of(), false))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("more than " + ChatTemplate.MAX_RENDER_STEPS + " template steps");
        // the bound is per rendering: the next one starts afresh
        assertThat(ChatTemplate.of("{% for a in range(10) %}.{% endfor %}", null, null).render(List.of(), false))
                .isEqualTo("..........");
    }

    @Test
    void fromModelDirectory_chatTemplateJinja_isPreferredAndTokensAreRead(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": {\"__type\": \"AddedToken\", "
                + "\"content\": \"<s>\"}, \"eos_token\": \"</s>\", \"chat_template\": \"from config\"}");
        assertThat(ChatTemplate.fromModelDirectory(dir).render(List.of(), false)).isEqualTo("from config");
        Files.writeString(dir.resolve("chat_template.jinja"), "{{ bos_token }}jinja{{ eos_token }}");
        ChatTemplate t = ChatTemplate.fromModelDirectory(dir);
        assertThat(t.render(List.of(), false)).isEqualTo("<s>jinja</s>");
        assertThat(t.source()).endsWith("chat_template.jinja");
    }

    @Test
    void fromModelDirectory_namedTemplates_takesTheDefault(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": [{\"name\": \"tool_use\", "
                + "\"template\": \"tools\"}, {\"name\": \"default\", \"template\": \"plain\"}]}");
        assertThat(ChatTemplate.fromModelDirectory(dir).render(List.of(), false)).isEqualTo("plain");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": [{\"name\": \"rag\", "
                + "\"template\": \"r\"}]}");
        assertThatThrownBy(() -> ChatTemplate.fromModelDirectory(dir))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("tokenizer_config.json").hasMessageContaining("[rag]")
                .hasMessageContaining("none named \"default\"");
    }

    @Test
    void fromModelDirectory_noTemplate_throwsNamingTheFiles(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> ChatTemplate.fromModelDirectory(dir))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining(dir.toAbsolutePath().toString())
                .hasMessageContaining("no chat_template.jinja and no tokenizer_config.json");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        assertThatThrownBy(() -> ChatTemplate.fromModelDirectory(dir))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("no \"chat_template\" in tokenizer_config.json");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": ");
        assertThatThrownBy(() -> ChatTemplate.fromModelDirectory(dir))
                .isInstanceOf(El4nerConfigurationException.class)
                .hasMessageContaining("tokenizer_config.json is not valid JSON");
    }

    @Test
    void fromModelDirectory_tinyDecoderFixtures_carryARenderableChatMlTemplate() throws Exception {
        for (String model : List.of("tiny-mha", "tiny-gqa")) {
            Path dir = Path.of(ChatTemplateTest.class.getResource("/io/el4ner/onnx/decoders/" + model).toURI());
            String rendered = ChatTemplate.fromModelDirectory(dir)
                    .render(List.of(ChatMessage.user("Hello, world!")), true);
            assertThat(rendered).isEqualTo("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a "
                    + "helpful assistant.<|im_end|>\n<|im_start|>user\nHello, world!<|im_end|>\n<|im_start|>assistant\n");
        }
    }

    @Test
    void render_sharedInstance_isSafeBetweenThreads() throws Exception {
        ChatTemplate qwen = family("qwen2.5");
        String expected = resource("expected/qwen2.5/multi-turn.txt");
        List<ChatMessage> messages = messages(cases().get("cases").get("multi-turn"));
        ChatTemplate looping = ChatTemplate.of("{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}"
                + "{% endfor %}", null, null);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                int n = i;
                Callable<String> task = () -> {
                    if (n % 16 == 0) { // a failing rendering on the same thread must not disturb the next ones
                        try {
                            looping.render(List.of(), false);
                        } catch (El4nerConfigurationException expectedFailure) {
                            // fall through
                        }
                    }
                    return qwen.render(messages, true);
                };
                futures.add(pool.submit(task));
            }
            for (Future<String> f : futures) {
                assertThat(f.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void expectedRenderings_familyFiles_areAllCovered() throws URISyntaxException, IOException {
        Path dir = Path.of(ChatTemplateTest.class.getResource(ROOT).toURI());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jinja")))
                    .containsExactlyInAnyOrder("qwen2.5.jinja", "llama3.2.jinja", "smollm2.jinja", "phi3.5.jinja");
        }
        assertThat(cases().get("families").size()).isEqualTo(4);
    }
}
