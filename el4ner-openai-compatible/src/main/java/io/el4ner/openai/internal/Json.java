package io.el4ner.openai.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one strict Jackson mapper of the module (tree model only: no reflection on el4ner classes). */
public final class Json {
    /** Strict: what servers must send and what the member sends. */
    public static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }
}
