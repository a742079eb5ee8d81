-- Prunes expired permits and claims a free slot, in one step.
-- KEYS[1] permits (sorted set: permit id scored by its expiry, server time in ms)
-- ARGV[1] permit id (unique to this acquisition: it is also the request id), ARGV[2] permits, ARGV[3] lease (ms)
-- Answers "granted:0" or "busy:<microseconds until the earliest permit expires>".
-- Replay-safe: a call repeated after a reconnect finds its own permit id and answers the same grant.
local permits = KEYS[1]
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local lease = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', permits, '-inf', string.format('%.0f', nowMs))
if redis.call('ZSCORE', permits, ARGV[1]) then
  return 'granted:0'
end
if redis.call('ZCARD', permits) < tonumber(ARGV[2]) then
  redis.call('ZADD', permits, string.format('%.0f', nowMs + lease), ARGV[1])
  if redis.call('PTTL', permits) < lease then
    redis.call('PEXPIRE', permits, lease)
  end
  return 'granted:0'
end
local earliest = redis.call('ZRANGE', permits, 0, 0, 'WITHSCORES')
return 'busy:' .. string.format('%.0f', math.max(tonumber(earliest[2]) - nowMs, 0) * 1000)
