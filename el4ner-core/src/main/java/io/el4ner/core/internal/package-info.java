/** The pipeline's implementation. Not exported; nothing here is API. */
package io.el4ner.core.internal;
