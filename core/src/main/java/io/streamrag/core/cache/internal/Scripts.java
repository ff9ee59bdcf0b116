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
     * Reads an entry if no document it depends on changed after it was computed. KEYS[1] the entry (a hash of
     * s = sequence snapshot taken before computing, d = docIds separated by newlines, v = value), KEYS[2] the
     * per-document sequence hash; ARGV[1] seconds to extend the entry's TTL by on a hit (0: leave it). Returns the
     * value, or nil on a miss; an invalid entry is deleted.
     */
    public static final String GET_VALID = """
            local e = redis.call('HMGET', KEYS[1], 's', 'd', 'v')
            if not e[3] then return false end
            if e[2] and e[2] ~= '' then
              local docs = {}
              for d in string.gmatch(e[2], '[^\\n]+') do docs[#docs + 1] = d end
              local seqs = redis.call('HMGET', KEYS[2], unpack(docs))
              local s0 = tonumber(e[1])
              for i = 1, #seqs do
                if seqs[i] and tonumber(seqs[i]) > s0 then
                  redis.call('DEL', KEYS[1])
                  return false
                end
              end
            end
            if tonumber(ARGV[1]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
            return e[3]
            """;

    /** Writes an entry. KEYS[1] the entry; ARGV: sequence snapshot, docIds (newline-separated), value, TTL s. */
    public static final String PUT = """
            redis.call('HSET', KEYS[1], 's', ARGV[1], 'd', ARGV[2], 'v', ARGV[3])
            redis.call('EXPIRE', KEYS[1], ARGV[4])
            return 1
            """;
}
