package io.el4ner.core.internal.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.el4ner.api.ChatMessage;
import io.el4ner.api.Demonstration;
import io.el4ner.api.EntityType;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.Stage;
import io.el4ner.api.TypedSpan;
import io.el4ner.core.PromptTemplate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Renders the stage templates into chat messages. Immutable. */
public final class Prompts {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z]+)}}");

    private final Map<Stage, PromptTemplate> templates;

    /** @param overrides templates that replace the built-in ones, by stage */
    public Prompts(Map<Stage, PromptTemplate> overrides) {
        Map<Stage, PromptTemplate> t = new EnumMap<>(Stage.class);
        for (Stage s : Stage.values()) {
            t.put(s, overrides.getOrDefault(s, PromptTemplate.defaultFor(s)));
        }
        this.templates = Map.copyOf(t);
    }

    /** @return the built-in templates */
    public static Prompts defaults() {
        return new Prompts(Map.of());
    }

    /**
     * @param stage a stage
     * @return its template
     */
    public PromptTemplate template(Stage stage) {
        return templates.get(stage);
    }

    /**
     * @param stage the stage
     * @param sentence the sentence
     * @param types the label set
     * @param demos the demonstrations (ignored by templates without {{demonstrations}})
     * @param spans the spans to classify
     * @param entities the entities to validate
     * @return system and user message
     */
    public List<ChatMessage> render(Stage stage, String sentence, List<EntityType> types, List<Demonstration> demos,
                                    List<String> spans, List<TypedSpan> entities) {
        PromptTemplate t = templates.get(stage);
        Map<String, String> values = new LinkedHashMap<>();
        values.put("types", types(types));
        values.put("sentence", sentence);
        values.put("demonstrations", demonstrations(stage, demos));
        values.put("spans", json(spans));
        values.put("entities", json(entities.stream().map(e -> Map.of("span", e.text(), "type", e.type())).toList()));
        List<ChatMessage> messages = new ArrayList<>(2);
        String system = fill(t.system(), values);
        if (!system.isBlank()) {
            messages.add(ChatMessage.system(system));
        }
        messages.add(ChatMessage.user(fill(t.user(), values)));
        return messages;
    }

    private static String types(List<EntityType> types) {
        StringBuilder sb = new StringBuilder();
        for (EntityType t : types) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append("- ").append(t.name());
            if (!t.description().isBlank()) {
                sb.append(": ").append(t.description().strip());
            }
        }
        return sb.toString();
    }

    private static String demonstrations(Stage stage, List<Demonstration> demos) {
        StringBuilder sb = new StringBuilder();
        for (Demonstration d : demos) {
            List<String> surfaces = new ArrayList<>(new LinkedHashSet<>(d.spans().stream().map(d::surface).toList()));
            sb.append("Sentence: ").append(d.text()).append('\n');
            switch (stage) {
                case PRE_EXTRACTION, EXTRACTION -> sb.append("Answer: ")
                        .append(json(Map.of("entities", surfaces))).append("\n\n");
                case CLASSIFICATION -> {
                    List<Map<String, String>> labels = new ArrayList<>();
                    for (LabeledSpan s : d.spans()) {
                        Map<String, String> item = new LinkedHashMap<>();
                        item.put("span", d.surface(s));
                        item.put("type", s.type());
                        if (!labels.contains(item)) {
                            labels.add(item);
                        }
                    }
                    sb.append("Spans: ").append(json(surfaces)).append('\n')
                            .append("Answer: ").append(json(Map.of("labels", labels))).append("\n\n");
                }
                case VALIDATION -> {
                    List<Map<String, Object>> verdicts = new ArrayList<>();
                    List<Map<String, String>> entities = new ArrayList<>();
                    for (LabeledSpan s : d.spans()) {
                        Map<String, Object> v = new LinkedHashMap<>();
                        v.put("span", d.surface(s));
                        v.put("type", s.type());
                        entities.add(Map.of("span", d.surface(s), "type", s.type()));
                        v.put("valid", true);
                        verdicts.add(v);
                    }
                    sb.append("Entities: ").append(json(entities)).append('\n')
                            .append("Answer: ").append(json(Map.of("verdicts", verdicts))).append("\n\n");
                }
            }
        }
        return sb.toString();
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write prompt JSON", e);
        }
    }

    static String fill(String text, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(values.getOrDefault(m.group(1), "")));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
