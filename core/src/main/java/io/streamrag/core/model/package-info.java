/**
 * Running ONNX models through DJL, shared by the embedder ({@code OnnxEmbedder}) and the cross-encoder reranker:
 * loading a model and its tokenizer, padding token batches into the model's inputs, and vector math on the outputs.
 */
package io.streamrag.core.model;
