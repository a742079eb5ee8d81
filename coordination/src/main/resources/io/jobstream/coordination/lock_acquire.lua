-- Takes a lock when it is free and hands out the next fencing token, in one step.
-- KEYS[1] owner key (value "<token>:<holder>" while held, expiring with the lease; "released:<token>:<holder>" for a
-- while after a release, which counts as free)
-- KEYS[2] fencing counter
-- ARGV[1] holder id (unique to this acquisition: it is also the request id), ARGV[2] lease (ms)
-- Answers "granted:<token>" or "busy:<microseconds until the lease ends>".
-- Replay-safe: a call repeated after a reconnect finds its own holder id in the owner key and answers the same grant,
-- without a second token.
local owner = KEYS[1]
local fence = KEYS[2]
local current = redis.call('GET', owner)
if current and string.sub(current, 1, 9) ~= 'released:' then
  local separator = string.find(current, ':', 1, true)
  if separator and string.sub(current, separator + 1) == ARGV[1] then
    return 'granted:' .. string.sub(current, 1, separator - 1)
  end
  return 'busy:' .. string.format('%.0f', math.max(redis.call('PTTL', owner), 0) * 1000)
end
-- Tokens never fall below the server's clock in microseconds, so they keep increasing even when the counter is lost
-- (a restart without persistence, an expired counter).
local now = redis.call('TIME')
local floor = tonumber(now[1]) * 1000000 + tonumber(now[2])
local token = redis.call('INCR', fence)
if token < floor then
  token = floor
  redis.call('SET', fence, string.format('%.0f', token))
end
redis.call('PEXPIRE', fence, 3600000)
local text = string.format('%.0f', token)
redis.call('SET', owner, text .. ':' .. ARGV[1], 'PX', ARGV[2])
return 'granted:' .. text
