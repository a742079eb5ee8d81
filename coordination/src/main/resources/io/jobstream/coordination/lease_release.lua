-- Removes a lease only when it is still the caller's (compare-and-delete), and announces the release.
-- KEYS[1] lease key
-- KEYS[2] release channel
-- ARGV[1] the value the caller's lease has (it holds the holder id, unique to the acquisition), ARGV[2] how long a
-- release is remembered (ms)
-- Answers "1" when released, "0" when the lease was gone or another holder's.
-- Replay-safe: the lease is replaced by the tombstone "released:<value>" (free for every acquire script), so a call
-- repeated after a reconnect answers "1" again and announces nothing twice.
local lease = KEYS[1]
local channel = KEYS[2]
local current = redis.call('GET', lease)
if current == ARGV[1] then
  redis.call('SET', lease, 'released:' .. ARGV[1], 'PX', ARGV[2])
  redis.call('PUBLISH', channel, 'released')
  return '1'
end
if current == 'released:' .. ARGV[1] then
  return '1'
end
return '0'
