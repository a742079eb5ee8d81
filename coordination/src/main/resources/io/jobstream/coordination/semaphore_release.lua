-- Gives a permit back and announces the release.
-- KEYS[1] permits (sorted set: permit id scored by its expiry, server time in ms)
-- KEYS[2] release channel
-- KEYS[3] request key (remembers the answer of a call that changed something, so a replayed call answers the same)
-- ARGV[1] permit id, ARGV[2] request key retention (ms)
-- Answers "1" when the permit was held and unexpired, "0" otherwise.
local permits = KEYS[1]
local channel = KEYS[2]
local request = KEYS[3]
local previous = redis.call('GET', request)
if previous then
  return previous
end
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local answer = '0'
local expiry = redis.call('ZSCORE', permits, ARGV[1])
if expiry then
  redis.call('ZREM', permits, ARGV[1])
  redis.call('PUBLISH', channel, 'released')
  if tonumber(expiry) > nowMs then
    answer = '1'
  end
  redis.call('SET', request, answer, 'PX', ARGV[2])
end
return answer
