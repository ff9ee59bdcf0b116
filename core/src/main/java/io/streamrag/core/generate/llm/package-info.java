/**
 * Generation with an LLM over OpenAI's chat-completions protocol: {@link
 * io.streamrag.core.generate.llm.ChatCompletionsGenerator} (the client), {@link
 * io.streamrag.core.generate.llm.PromptBuilder} (the prompt and its citations) and {@link
 * io.streamrag.core.generate.llm.FallbackGenerator} (the extractive answer when the LLM fails). Configuration:
 * {@code docs/generation.md}. Everything in {@code internal} may change without notice.
 */
package io.streamrag.core.generate.llm;
