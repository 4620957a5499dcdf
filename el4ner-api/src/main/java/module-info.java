/**
 * el4ner's public values and service-provider interfaces. Depends on nothing but {@code java.base}.
 */
module io.el4ner.api {
    exports io.el4ner.api;
    exports io.el4ner.api.spi;
}
