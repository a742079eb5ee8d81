-- Takes a lock when it is free and hands out the next fencing token, in one step.
-- KEYS[1] owner key (value "<token>:<holder>", expires with the lease)
-- KEYS[2] fencing counter
-- KEYS[3] request key (remembers the answer of a call that changed something, so a replayed call is not applied twice;
-- a call that changed nothing may safely run again)
-- ARGV[1] holder id, ARGV[2] lease (ms), ARGV[3] request key retention (ms)
-- Answers "granted:<token>" or "busy:<microseconds until the lease ends>".
local owner = KEYS[1]
local fence = KEYS[2]
local request = KEYS[3]
local previous = redis.call('GET', request)
if previous then
  return previous
end
local answer
local ttl = redis.call('PTTL', owner)
if ttl ~= -2 then
  answer = 'busy:' .. string.format('%.0f', math.max(ttl, 0) * 1000)
else
  -- Tokens never fall below the server's clock in microseconds, so they keep increasing even when the
  -- counter is lost (a restart without persistence, an expired counter).
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
  answer = 'granted:' .. text
  redis.call('SET', request, answer, 'PX', ARGV[3])
end
return answer
