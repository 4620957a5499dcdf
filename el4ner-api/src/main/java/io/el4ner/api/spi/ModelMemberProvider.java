package io.el4ner.api.spi;

/**
 * Creates {@link ModelMember}s of one kind (an HTTP backend, an in-process runtime). Found with
 * {@link java.util.ServiceLoader}.
 *
 * @since 0.1
 */
public interface ModelMemberProvider extends NamedProvider {
    /**
     * Creates a member. Called once per configured member; may load a model or open connections.
     *
     * @param config the member's parameters; {@code name} is the member's name when given
     * @return a new member, owned (and closed) by the caller
     * @throws io.el4ner.api.El4nerConfigurationException if a parameter is missing or malformed
     */
    ModelMember create(ComponentConfig config);
}
