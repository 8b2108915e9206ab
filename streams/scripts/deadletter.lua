-- Dead letter: copy a pending entry to the dead-letter stream and acknowledge
-- it, in one atomic step.
--
-- KEYS[1]  the stream
-- KEYS[2]  the dead-letter stream (same hash tag as KEYS[1] on Cluster)
-- ARGV[1]  consumer group
-- ARGV[2]  id of the pending entry
-- ARGV[3]  reason
--
-- Returns {"ok", dead entry id, delivery count} or {"not_pending"}.
--
-- The dead entry holds the old entry's fields (none if it was deleted from
-- the stream), then "reason", "original_id" and "deliveries", which replace
-- fields of the same names. XADD runs before XACK so that a failed append
-- leaves the entry pending.

local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #p == 0 then
  return {'not_pending'}
end
local deliveries = p[1][4]

local out = {}
local old = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
if #old == 1 then
  local f = old[1][2]
  for i = 1, #f, 2 do
    local k = f[i]
    if k ~= 'reason' and k ~= 'original_id' and k ~= 'deliveries' then
      out[#out + 1] = k
      out[#out + 1] = f[i + 1]
    end
  end
end
out[#out + 1] = 'reason'
out[#out + 1] = ARGV[3]
out[#out + 1] = 'original_id'
out[#out + 1] = ARGV[2]
out[#out + 1] = 'deliveries'
out[#out + 1] = tostring(deliveries)

local id = redis.call('XADD', KEYS[2], '*', unpack(out))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return {'ok', id, deliveries}
