/**
 * Lua scripts: each runs atomically on the Redis server, so "check then act" steps cannot interleave with
 * another client's.
 */

/**
 * Take a lock: SET NX PX, or confirm we already hold it. The second branch makes acquisition idempotent:
 * when ioredis resends a SET whose reply was lost in a reconnect, the holder still recognises its lock
 * instead of waiting for its own TTL to run out.
 * KEYS[1] lock key; ARGV[1] owner token; ARGV[2] ttl (ms). Returns 1 when held by the caller, else 0.
 */
export const ACQUIRE_LOCK = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** Delete the lock only when the caller still owns it. KEYS[1] lock key; ARGV[1] owner token. Returns 1/0. */
export const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Push the lock's expiry only when the caller still owns it. KEYS[1]; ARGV[1] token; ARGV[2] ttl (ms). */
export const EXTEND_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/**
 * INCRBY, then give the counter its expiry when it has none (it was just created, or was written without one).
 * KEYS[1] counter; ARGV[1] increment; ARGV[2] ttl (ms) or 0 for none. Returns the new value.
 */
export const INCR_WITH_TTL = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
if ttl > 0 and redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ttl) end
return value
`;
