-- Extend a lease: reset the idle time of a pending entry, but only while the
-- caller still owns it.
--
-- KEYS[1]  the stream
-- ARGV[1]  consumer group
-- ARGV[2]  consumer: the caller, which must own the entry
-- ARGV[3]  entry id
--
-- Returns {"ok"}, {"lost", owner}, {"not_pending"} or {"deleted"}.
--
-- XCLAIM with min-idle 0 and JUSTID resets the idle time without counting a
-- delivery. A bare XCLAIM would take the entry back from a rescuer that
-- already owns it, so the owner is checked first, in the same script.

local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 0 then
  return {'not_pending'}
end

local owner = p[1][2]
if owner ~= ARGV[2] then
  return {'lost', owner}
end

-- Redis 7 drops a pending entry whose stream entry is gone instead of
-- claiming it; the reply is then empty.
local claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
if #claimed == 0 then
  return {'deleted'}
end
return {'ok'}
