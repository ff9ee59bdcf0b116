package io.streamrag.core.cache.internal;

/**
 * The Lua scripts the caches run on Redis. Each runs atomically, which is what makes the epoch and sequence
 * protocol race-free (see {@code docs/caches.md}). Counters are "microseconds-based": a counter that is missing
 * (never written, flushed, or lost in a restart) starts at the server's clock in microseconds, and every bump sets
 * {@code max(old + 1, now)}, so a counter never goes backwards even when Redis loses it.
 */
public final class Scripts {
    private Scripts() {
    }

    private static final String NOW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local function fmt(n) return string.format('%.0f', n) end
            """;

    /**
     * KEYS: counters to read (collection epoch, collection sequence, model epoch, in any subset). Returns the
     * server's run_id (new on every restart, so entries written by an earlier process, restored from disk or
     * not, are never reachable) followed by each counter, initialising missing ones to now.
     */
    public static final String SNAPSHOT = NOW + """
            local info = redis.call('INFO', 'server')
            local out = { string.match(info, 'run_id:(%w+)') }
            for i = 1, #KEYS do
              local v = redis.call('GET', KEYS[i])
              if not v then
                redis.call('SET', KEYS[i], fmt(now), 'NX')
                v = redis.call('GET', KEYS[i])
              end
              out[i + 1] = v
            end
            return out
            """;

    /**
     * A document changed. KEYS[1] collection sequence, KEYS[2] per-document sequence hash, KEYS[3] collection
     * epoch; ARGV[1] docId, ARGV[2] "1" to also bump the collection epoch. Returns the new sequence.
     */
    public static final String DOCUMENT_CHANGED = NOW + """
            local seq = math.max(tonumber(redis.call('GET', KEYS[1]) or '0') + 1, now)
            redis.call('SET', KEYS[1], fmt(seq))
            redis.call('HSET', KEYS[2], ARGV[1], fmt(seq))
            if ARGV[2] == '1' then
              local epoch = math.max(tonumber(redis.call('GET', KEYS[3]) or '0') + 1, now)
              redis.call('SET', KEYS[3], fmt(epoch))
            end
            return fmt(seq)
            """;

    /** Bumps every counter in KEYS. Returns the last new value. */
    public static final String BUMP = NOW + """
            local last = 0
            for i = 1, #KEYS do
              last = math.max(tonumber(redis.call('GET', KEYS[i]) or '0') + 1, now)
              redis.call('SET', KEYS[i], fmt(last))
            end
            return fmt(last)
            """;

    /**
     * Defines {@code read_valid(entry, stamps)}: the value of an entry if no document it depends on changed after it
     * was computed, else nil (an invalid entry is deleted). An entry is a hash of s = sequence snapshot taken before
     * computing, d = docIds separated by newlines, v = value; {@code stamps} is the per-document sequence hash.
     */
    private static final String READ_VALID = """
            local function read_valid(entry, stamps)
              local e = redis.call('HMGET', entry, 's', 'd', 'v')
              if not e[3] then return nil end
              if e[2] and e[2] ~= '' then
                local docs = {}
                for d in string.gmatch(e[2], '[^\\n]+') do docs[#docs + 1] = d end
                local seqs = redis.call('HMGET', stamps, unpack(docs))
                local s0 = tonumber(e[1])
                for i = 1, #seqs do
                  if seqs[i] and tonumber(seqs[i]) > s0 then
                    redis.call('DEL', entry)
                    return nil
                  end
                end
              end
              return e[3]
            end
            """;

    /**
     * Reads an entry if no document it depends on changed after it was computed ({@code read_valid}). KEYS[1] the
     * entry, KEYS[2] the per-document sequence hash; ARGV[1] seconds to extend the entry's TTL by on a hit (0: leave
     * it). Returns the value, or nil on a miss.
     */
    public static final String GET_VALID = READ_VALID + """
            local v = read_valid(KEYS[1], KEYS[2])
            if not v then return false end
            if tonumber(ARGV[1]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
            return v
            """;

    /**
     * The first valid entry of several, in one round trip (L4 looks up every prefix of a context, longest first).
     * KEYS[1] the per-document sequence hash, KEYS[2..] the entries in order of preference; ARGV[1] seconds to
     * extend the TTL of the entry found by (0: leave it). Returns {0-based index among the entries, value}, or nil
     * when none is valid; invalid entries passed over are deleted, as by {@link #GET_VALID}.
     */
    public static final String GET_FIRST_VALID = READ_VALID + """
            for i = 2, #KEYS do
              local v = read_valid(KEYS[i], KEYS[1])
              if v then
                if tonumber(ARGV[1]) > 0 then redis.call('EXPIRE', KEYS[i], ARGV[1]) end
                return { i - 2, v }
              end
            end
            return false
            """;

    /**
     * Writes entries that share a value and a sequence snapshot (one, or every prefix of an L4 context). KEYS: the
     * entries; ARGV[1] sequence snapshot, ARGV[2] value, ARGV[3] TTL s, ARGV[3 + i] the docIds of KEYS[i]
     * (newline-separated). Returns the number of entries written.
     */
    public static final String PUT = """
            for i = 1, #KEYS do
              redis.call('HSET', KEYS[i], 's', ARGV[1], 'd', ARGV[3 + i], 'v', ARGV[2])
              redis.call('EXPIRE', KEYS[i], ARGV[3])
            end
            return #KEYS
            """;
}
