package io.el4ner.eval.internal;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.ModelMemberProvider;
import io.el4ner.eval.RecordReplayMember;
import io.el4ner.eval.RecordReplayMember.Mode;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Provider {@code record-replay}, so that a JSON configuration can record or replay any member. Parameters:
 * {@code name} (required), {@code file} (required; relative to the current directory), {@code mode}
 * ({@code replay}, {@code record-missing} (default), {@code record-all}), and {@code member}: the wrapped
 * member as {@code {"provider": ..., "parameters": {...}}}. Its {@code model} parameter and its other
 * non-secret parameters are part of the key, so keep it when replaying: it is then only described, never
 * created, and no backend is needed.
 */
public final class RecordReplayProvider implements ModelMemberProvider {
    @Override
    public String name() {
        return "record-replay";
    }

    @Override
    public ModelMember create(ComponentConfig config) {
        config.requireOnly(Set.of("name", "file", "mode", "member"));
        String name = config.requireString("name");
        String m = config.string("mode").orElse("record-missing");
        Mode mode = switch (m) {
            case "replay" -> Mode.REPLAY;
            case "record-missing" -> Mode.RECORD_MISSING;
            case "record-all" -> Mode.RECORD_ALL;
            default -> throw new El4nerConfigurationException(config.component() + ": parameter 'mode' must be "
                    + "replay, record-missing or record-all, got '" + m + "'");
        };
        RecordReplayMember.Builder b = RecordReplayMember.builder(config.requirePath("file")).name(name).mode(mode);
        Object inner = config.parameters().get("member");
        if (inner != null) {
            if (!(inner instanceof Map<?, ?> spec) || !(spec.get("provider") instanceof String provider)
                    || (spec.get("parameters") != null && !(spec.get("parameters") instanceof Map))) {
                throw new El4nerConfigurationException(config.component() + ": parameter 'member' must be "
                        + "{\"provider\": \"...\", \"parameters\": {...}}");
            }
            Map<String, Object> params = new TreeMap<>();
            if (spec.get("parameters") instanceof Map<?, ?> given) {
                given.forEach((k, v) -> params.put(String.valueOf(k), v));
            }
            params.putIfAbsent("name", name);
            b.parameters(params);
            if (mode != Mode.REPLAY) { // replaying needs the member's description (the key), not the member
                ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                        ? Thread.currentThread().getContextClassLoader() : RecordReplayProvider.class.getClassLoader();
                b.delegate(MemberProviders.byName(provider, loader)
                        .create(config.nested(config.component() + " → " + provider, params)))
                        .closeDelegate(true);
            }
            if (params.get("model") instanceof String model) {
                b.model(model);
            }
        }
        return b.build();
    }
}
