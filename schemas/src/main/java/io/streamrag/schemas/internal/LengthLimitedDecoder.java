package io.streamrag.schemas.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * A binary {@link Decoder} over one byte-array message that rejects string, bytes and collection
 * lengths larger than the message itself.
 *
 * <p>Why: Avro allocates a string or an array of the length it reads before reading its content,
 * so a few corrupt bytes can demand gigabytes and kill the JVM. Here every length is checked
 * against the body size first: a corrupt message fails with an {@link IOException} instead.
 * The collection check assumes that every item takes at least one byte, which holds for all
 * streamrag schemas (none has an array or map of {@code null}).
 *
 * <p>Not thread-safe: create one per message.
 */
public final class LengthLimitedDecoder extends Decoder {

  private final BinaryDecoder in;
  private final int limit;

  /** Decodes {@code length} bytes of {@code bytes} starting at {@code offset}. */
  public LengthLimitedDecoder(byte[] bytes, int offset, int length) {
    this.in = DecoderFactory.get().binaryDecoder(bytes, offset, length, null);
    this.limit = length;
  }

  /** Whether every byte of the message has been read. */
  public boolean isEnd() throws IOException {
    return in.isEnd();
  }

  private int checkLength(long length, String what) throws IOException {
    if (length < 0 || length > limit) {
      throw new IOException(what + " length " + length + " is impossible in a " + limit + "-byte body");
    }
    return (int) length;
  }

  private long checkCount(long count, String what) throws IOException {
    if (count < 0 || count > limit) {
      throw new IOException(what + " block of " + count + " items is impossible in a " + limit + "-byte body");
    }
    return count;
  }

  @Override
  public Utf8 readString(Utf8 old) throws IOException {
    int length = checkLength(in.readLong(), "string");
    Utf8 result = old != null ? old : new Utf8();
    result.setByteLength(length);
    if (length > 0) {
      in.readFixed(result.getBytes(), 0, length);
    }
    return result;
  }

  @Override
  public String readString() throws IOException {
    return readString(null).toString();
  }

  @Override
  public ByteBuffer readBytes(ByteBuffer old) throws IOException {
    int length = checkLength(in.readLong(), "bytes");
    byte[] bytes = new byte[length];
    in.readFixed(bytes, 0, length);
    return ByteBuffer.wrap(bytes);
  }

  @Override
  public long readArrayStart() throws IOException {
    return checkCount(in.readArrayStart(), "array");
  }

  @Override
  public long arrayNext() throws IOException {
    return checkCount(in.arrayNext(), "array");
  }

  @Override
  public long readMapStart() throws IOException {
    return checkCount(in.readMapStart(), "map");
  }

  @Override
  public long mapNext() throws IOException {
    return checkCount(in.mapNext(), "map");
  }

  // The remaining methods allocate nothing that depends on the data: plain delegation.

  @Override
  public void readNull() throws IOException {
    in.readNull();
  }

  @Override
  public boolean readBoolean() throws IOException {
    return in.readBoolean();
  }

  @Override
  public int readInt() throws IOException {
    return in.readInt();
  }

  @Override
  public long readLong() throws IOException {
    return in.readLong();
  }

  @Override
  public float readFloat() throws IOException {
    return in.readFloat();
  }

  @Override
  public double readDouble() throws IOException {
    return in.readDouble();
  }

  @Override
  public void skipString() throws IOException {
    in.skipString();
  }

  @Override
  public void skipBytes() throws IOException {
    in.skipBytes();
  }

  @Override
  public void readFixed(byte[] bytes, int start, int length) throws IOException {
    in.readFixed(bytes, start, length);
  }

  @Override
  public void skipFixed(int length) throws IOException {
    in.skipFixed(length);
  }

  @Override
  public int readEnum() throws IOException {
    return in.readEnum();
  }

  @Override
  public long skipArray() throws IOException {
    return in.skipArray();
  }

  @Override
  public long skipMap() throws IOException {
    return in.skipMap();
  }

  @Override
  public int readIndex() throws IOException {
    return in.readIndex();
  }
}
