-- Claims a job id: marks it in progress with a lease unless it is done or in progress elsewhere.
-- KEYS[1] claim state ("running:<holder>" with the lease, or "done" with the retention)
-- KEYS[2] request key (remembers the answer of a call that changed something, so a replayed call is not applied twice;
-- a call that changed nothing may safely run again)
-- ARGV[1] holder id, ARGV[2] lease (ms), ARGV[3] request key retention (ms)
-- Answers "granted:0", "done", or "busy:<microseconds until the other claim's lease ends>".
local state = KEYS[1]
local request = KEYS[2]
local previous = redis.call('GET', request)
if previous then
  return previous
end
local answer
local current = redis.call('GET', state)
if not current then
  redis.call('SET', state, 'running:' .. ARGV[1], 'PX', ARGV[2])
  answer = 'granted:0'
  redis.call('SET', request, answer, 'PX', ARGV[3])
elseif current == 'done' then
  answer = 'done'
else
  answer = 'busy:' .. string.format('%.0f', math.max(redis.call('PTTL', state), 0) * 1000)
end
return answer
