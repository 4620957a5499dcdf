/**
 * Contract tests for el4ner plugins. Extend {@link io.el4ner.tck.ModelMemberContractTest} with a concrete test
 * class that returns your {@link io.el4ner.api.spi.ModelMember} from {@code member()}, and
 * {@link io.el4ner.tck.ModelMemberProviderContractTest} for its {@link io.el4ner.api.spi.ModelMemberProvider};
 * override the hooks to describe your member's capabilities. A capability you do not declare is skipped with a
 * JUnit assumption, never silently passed.
 *
 * <pre>{@code
 * class MyMemberContractTest extends ModelMemberContractTest {
 *     @Override
 *     protected ModelMember member() {
 *         return new MyMember("my-member", stubServer.baseUrl());
 *     }
 *
 *     @Override
 *     protected boolean reportsUsage() {
 *         return false;
 *     }
 * }
 * }</pre>
 *
 * <p>Sentence encoders (the {@link io.el4ner.api.spi.SentenceEncoder} behind span-level retrieval) have
 * {@link io.el4ner.tck.SentenceEncoderContractTest}: return your encoder from {@code encoder()}.
 */
package io.el4ner.tck;
