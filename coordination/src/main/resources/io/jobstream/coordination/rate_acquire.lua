-- GCRA (generic cell rate algorithm) on the server's clock: takes one permit when the theoretical arrival time
-- allows it.
-- KEYS[1] theoretical arrival time (microseconds)
-- KEYS[2] request key (remembers the answer of a call that changed something, so a replayed call is not applied twice;
-- a call that changed nothing may safely run again)
-- ARGV[1] emission interval (microseconds per permit), ARGV[2] burst, ARGV[3] request key retention (ms)
-- Answers "granted:0" or "busy:<microseconds until the next permit>".
local tat = KEYS[1]
local request = KEYS[2]
local previous = redis.call('GET', request)
if previous then
  return previous
end
local now = redis.call('TIME')
local nowUs = tonumber(now[1]) * 1000000 + tonumber(now[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local stored = redis.call('GET', tat)
local arrival = nowUs
if stored and tonumber(stored) > nowUs then
  arrival = tonumber(stored)
end
local nextArrival = arrival + interval
local allowedAt = nextArrival - burst * interval
local answer
if allowedAt > nowUs then
  answer = 'busy:' .. string.format('%.0f', math.ceil(allowedAt - nowUs))
else
  local keepMs = math.ceil((nextArrival - nowUs) / 1000) + 1
  redis.call('SET', tat, string.format('%.0f', nextArrival), 'PX', string.format('%.0f', keepMs))
  answer = 'granted:0'
  redis.call('SET', request, answer, 'PX', ARGV[3])
end
return answer
