-- Counts the unexpired permits, and whether one permit is among them. Read-only.
-- KEYS[1] permits (sorted set: permit id scored by its expiry, server time in ms)
-- ARGV[1] a permit id, or ''
-- Answers "<count>:<1 when ARGV[1] is held, else 0>".
local permits = KEYS[1]
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local count = redis.call('ZCOUNT', permits, '(' .. string.format('%.0f', nowMs), '+inf')
local mine = '0'
if ARGV[1] ~= '' then
  local expiry = redis.call('ZSCORE', permits, ARGV[1])
  if expiry and tonumber(expiry) > nowMs then
    mine = '1'
  end
end
return count .. ':' .. mine
