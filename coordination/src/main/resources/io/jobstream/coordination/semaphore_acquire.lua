-- Prunes expired permits and claims a free slot, in one step.
-- KEYS[1] permits (sorted set: permit id scored by its expiry, server time in ms)
-- KEYS[2] request key (remembers the answer of a call that changed something, so a replayed call is not applied twice;
-- a call that changed nothing may safely run again)
-- ARGV[1] permit id, ARGV[2] permits, ARGV[3] lease (ms), ARGV[4] request key retention (ms)
-- Answers "granted:0" or "busy:<microseconds until the earliest permit expires>".
local permits = KEYS[1]
local request = KEYS[2]
local previous = redis.call('GET', request)
if previous then
  return previous
end
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local lease = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', permits, '-inf', string.format('%.0f', nowMs))
local answer
if redis.call('ZCARD', permits) < tonumber(ARGV[2]) then
  redis.call('ZADD', permits, string.format('%.0f', nowMs + lease), ARGV[1])
  if redis.call('PTTL', permits) < lease then
    redis.call('PEXPIRE', permits, lease)
  end
  answer = 'granted:0'
  redis.call('SET', request, answer, 'PX', ARGV[4])
else
  local earliest = redis.call('ZRANGE', permits, 0, 0, 'WITHSCORES')
  answer = 'busy:' .. string.format('%.0f', math.max(tonumber(earliest[2]) - nowMs, 0) * 1000)
end
return answer
