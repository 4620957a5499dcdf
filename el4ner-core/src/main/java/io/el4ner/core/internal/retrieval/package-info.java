/**
 * Span-level demonstration retrieval (EL4NER's SpanSim). Not exported; nothing here is API.
 *
 * <ul>
 *   <li>The retriever: {@link io.el4ner.core.internal.retrieval.SpanSimRetriever} (the query path), its
 *       provider {@code span-sim} ({@link io.el4ner.core.internal.retrieval.SpanSimRetrieverProvider}), its
 *       configuration ({@link io.el4ner.core.internal.retrieval.SpanSimOptions}), the span weights
 *       ({@link io.el4ner.core.internal.retrieval.EnglishSpanWeigher}) and the query's vectors
 *       ({@link io.el4ner.core.internal.retrieval.QueryVectors}).</li>
 *   <li>The pool index: {@link io.el4ner.core.internal.retrieval.PoolIndex} (every distinct span and sentence,
 *       encoded once), {@link io.el4ner.core.internal.retrieval.IndexFile} (its file),
 *       {@link io.el4ner.core.internal.retrieval.PoolIndexLoader} (load, build or save),
 *       {@link io.el4ner.core.internal.retrieval.SegmentedVectors},
 *       {@link io.el4ner.core.internal.retrieval.VectorTable} and {@link io.el4ner.core.internal.retrieval.IvfIndex} (the approximate index).</li>
 *   <li>The scans, one class each over shared scoring
 *       ({@link io.el4ner.core.internal.retrieval.SpanSimScoring}):
 *       {@link io.el4ner.core.internal.retrieval.ExactScan}, {@link io.el4ner.core.internal.retrieval.Int8Scan}
 *       and {@link io.el4ner.core.internal.retrieval.ApproximateScan}; their inner loops in
 *       {@link io.el4ner.core.internal.retrieval.ScanKernels}.</li>
 * </ul>
 *
 * <p>Layout of the hot path: vectors are stored dimension-major ({@code float[dimension][size]}), so that
 * scoring one query against every vector is a sequence of loops {@code out[l] += a * x[l] + ...} over whole
 * arrays, which C2 on a stock Java 17 JVM turns into SIMD code; a row-major dot product ends in a
 * floating-point reduction, which C2 does not vectorise. {@link io.el4ner.core.internal.retrieval.ScanKernels}
 * explains the details.
 */
package io.el4ner.core.internal.retrieval;
