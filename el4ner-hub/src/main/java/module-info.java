/**
 * A client of the Hugging Face Hub (or any server with its {@code resolve} API): {@link io.el4ner.hub.HubClient}
 * downloads a repository's files at a revision into the standard Hugging Face cache, the one Python's
 * {@code huggingface_hub} reads and writes, so that either reuses what the other downloaded.
 */
module io.el4ner.hub {
    requires transitive io.el4ner.api;
    requires java.net.http;
    requires org.slf4j;

    exports io.el4ner.hub;
}
