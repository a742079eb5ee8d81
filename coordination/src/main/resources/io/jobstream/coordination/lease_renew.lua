-- Extends a lease only when it is still the caller's (compare-and-expire). Idempotent.
-- KEYS[1] lease key
-- ARGV[1] the value the caller's lease has, ARGV[2] lease (ms)
-- Answers "1" when renewed, "0" when the lease is gone or another holder's.
local lease = KEYS[1]
if redis.call('GET', lease) == ARGV[1] then
  redis.call('PEXPIRE', lease, ARGV[2])
  return '1'
end
return '0'
