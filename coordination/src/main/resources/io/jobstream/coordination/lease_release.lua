-- Removes a lease only when it is still the caller's (compare-and-delete), and announces the release.
-- KEYS[1] lease key
-- KEYS[2] release channel
-- KEYS[3] request key (remembers the answer of a call that changed something, so a replayed call answers the same)
-- ARGV[1] the value the caller's lease has, ARGV[2] request key retention (ms)
-- Answers "1" when released, "0" when the lease was gone or another holder's.
local lease = KEYS[1]
local channel = KEYS[2]
local request = KEYS[3]
local previous = redis.call('GET', request)
if previous then
  return previous
end
local answer = '0'
if redis.call('GET', lease) == ARGV[1] then
  redis.call('DEL', lease)
  redis.call('PUBLISH', channel, 'released')
  answer = '1'
  redis.call('SET', request, answer, 'PX', ARGV[2])
end
return answer
