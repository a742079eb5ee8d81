-- Marks a claimed job id done for a retention, unless another holder claimed it meanwhile. Idempotent.
-- KEYS[1] claim state ("running:<holder>" with the lease, "done" with the retention, or "released:..." after a
-- release)
-- ARGV[1] holder id, ARGV[2] retention (ms)
-- Answers "1" when the id is done now, "0" when another holder runs it.
local state = KEYS[1]
local current = redis.call('GET', state)
if not current or current == 'done' or current == 'running:' .. ARGV[1] or string.sub(current, 1, 9) == 'released:' then
  redis.call('SET', state, 'done', 'PX', ARGV[2])
  return '1'
end
return '0'
