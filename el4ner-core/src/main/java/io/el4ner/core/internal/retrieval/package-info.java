/**
 * Span-level demonstration retrieval (EL4NER's SpanSim): the {@code span-sim} retriever, its pool index and the
 * file it is saved to, and the scan that scores a pool. Not exported; nothing here is API.
 *
 * <p>Layout of the hot path: vectors are stored dimension-major ({@code float[dimension][size]}), so that
 * scoring one query against every vector is a sequence of loops {@code out[l] += a * x[l] + ...} over whole
 * arrays, which C2 on a stock Java 17 JVM turns into SIMD code; a row-major dot product ends in a
 * floating-point reduction, which C2 does not vectorise. {@link io.el4ner.core.internal.retrieval.ScanKernels}
 * explains the details.
 */
package io.el4ner.core.internal.retrieval;
