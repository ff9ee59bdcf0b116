package io.streamrag.schemas;

import java.util.Objects;

/**
 * Bytes that could not be decoded into a streamrag record; the message says what was wrong and
 * {@link #reason()} sorts it for code (dead-letter routing, metrics).
 *
 * <p>None of the reasons is retriable: the same bytes fail the same way again. Send the record to a
 * dead-letter topic with this message, or upgrade the reader for {@link Reason#UNKNOWN_FINGERPRINT}.
 */
public class SchemaDecodingException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why decoding failed. */
  public enum Reason {
    /** The payload was {@code null} or had no bytes. */
    EMPTY_PAYLOAD,
    /** The payload does not start with the Avro single-object header {@code C3 01} + 8-byte fingerprint. */
    NOT_SINGLE_OBJECT,
    /** The header names a writer schema this reader does not know (often: the writer is newer). */
    UNKNOWN_FINGERPRINT,
    /** The writer schema is known but cannot be resolved against the reader's schema. */
    INCOMPATIBLE_WRITER,
    /** The header is fine but the body is truncated, has trailing bytes or holds impossible values. */
    CORRUPT_BODY,
    /** A JSON payload that is not valid JSON or does not have the documented shape ({@link DocumentEventJson}). */
    INVALID_JSON
  }

  private final Reason reason;

  /** Creates an exception with a reason and a message that says what to check. */
  public SchemaDecodingException(Reason reason, String message) {
    this(reason, message, null);
  }

  /** Creates an exception with a reason, a message and the underlying failure. */
  public SchemaDecodingException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Why decoding failed. */
  public Reason reason() {
    return reason;
  }
}
