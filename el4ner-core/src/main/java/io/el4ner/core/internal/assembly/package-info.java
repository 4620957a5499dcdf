/**
 * Building an ensemble: the builder's settings as an immutable spec, and the one assembler that turns it into
 * components, owning those it creates through providers. Not exported; nothing here is API.
 */
package io.el4ner.core.internal.assembly;
