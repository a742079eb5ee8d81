-- Extends a permit only while it is unexpired; an expired one is removed. Idempotent.
-- KEYS[1] permits (sorted set: permit id scored by its expiry, server time in ms)
-- ARGV[1] permit id, ARGV[2] lease (ms)
-- Answers "1" when renewed, "0" when the permit is gone.
local permits = KEYS[1]
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local lease = tonumber(ARGV[2])
local expiry = redis.call('ZSCORE', permits, ARGV[1])
if expiry and tonumber(expiry) > nowMs then
  redis.call('ZADD', permits, 'XX', string.format('%.0f', nowMs + lease), ARGV[1])
  if redis.call('PTTL', permits) < lease then
    redis.call('PEXPIRE', permits, lease)
  end
  return '1'
end
redis.call('ZREM', permits, ARGV[1])
return '0'
