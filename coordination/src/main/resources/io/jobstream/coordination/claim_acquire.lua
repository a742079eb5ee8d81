-- Claims a job id: marks it in progress with a lease unless it is done or in progress elsewhere.
-- KEYS[1] claim state ("running:<holder>" with the lease, "done" with the retention, or
-- "released:running:<holder>" for a while after a release, which counts as free)
-- ARGV[1] holder id (unique to this claim: it is also the request id), ARGV[2] lease (ms)
-- Answers "granted:0", "done", or "busy:<microseconds until the other claim's lease ends>".
-- Replay-safe: a call repeated after a reconnect finds its own holder id and answers the same grant.
local state = KEYS[1]
local current = redis.call('GET', state)
if not current or string.sub(current, 1, 9) == 'released:' then
  redis.call('SET', state, 'running:' .. ARGV[1], 'PX', ARGV[2])
  return 'granted:0'
end
if current == 'done' then
  return 'done'
end
if current == 'running:' .. ARGV[1] then
  return 'granted:0'
end
return 'busy:' .. string.format('%.0f', math.max(redis.call('PTTL', state), 0) * 1000)
