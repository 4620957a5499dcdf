/**
 * el4ner's command line: {@code java -jar el4ner.jar recognize --config FILE --text ...} prints one JSON object
 * with the entities, diagnostics and usage. The shaded jar runs on the class path; this descriptor keeps the
 * module's dependencies explicit.
 */
module io.el4ner.cli {
    requires io.el4ner.core;
    // evaluate, score and inspect: CoNLL data, scoring and evaluation runs
    requires io.el4ner.eval;
    // el4ner models, and recognize without --config: the default ensemble's models from the Hugging Face Hub
    requires io.el4ner.hub;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;

    opens io.el4ner.cli to info.picocli;
}
