-- Requeue: append a pending entry again at the end of its stream and
-- acknowledge the old one, in one atomic step.
--
-- KEYS[1]   the stream
-- ARGV[1]   consumer group
-- ARGV[2]   id of the pending entry
-- ARGV[3]   reason, stored in the "reason" field ("" leaves the field out)
-- ARGV[4]   "1" keeps the attempt count, "0" adds one to it
-- ARGV[5]   "1": ARGV[6..] are the new entry's fields; "0": copy the old entry's
-- ARGV[6..] field, value, field, value, ...
--
-- Returns {"ok", new id, attempt}, {"not_pending"}, {"deleted"} or
-- {"bad_attempt", value}.
--
-- The attempt count comes from the old entry when it still exists, else from
-- the given fields, else 0. Nothing is written unless every check passes;
-- XADD runs before XACK so that a failed append leaves the old entry pending.

local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #p == 0 then
  return {'not_pending'}
end

local function get(list, name)
  for i = 1, #list, 2 do
    if list[i] == name then
      return list[i + 1]
    end
  end
  return nil
end

local old = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
local oldFields = nil
if #old == 1 then
  oldFields = old[1][2]
end

local src
if ARGV[5] == '1' then
  src = {}
  for i = 6, #ARGV do
    src[#src + 1] = ARGV[i]
  end
else
  if oldFields == nil then
    return {'deleted'}
  end
  src = oldFields
end

local base = (oldFields and get(oldFields, 'attempt')) or get(src, 'attempt') or '0'
local n = tonumber(base)
if n == nil or n < 0 or n ~= math.floor(n) then
  return {'bad_attempt', base}
end
if ARGV[4] ~= '1' then
  n = n + 1
end
local attempt = string.format('%d', n)

local out = {}
for i = 1, #src, 2 do
  if src[i] ~= 'attempt' and src[i] ~= 'reason' then
    out[#out + 1] = src[i]
    out[#out + 1] = src[i + 1]
  end
end
out[#out + 1] = 'attempt'
out[#out + 1] = attempt
if ARGV[3] ~= '' then
  out[#out + 1] = 'reason'
  out[#out + 1] = ARGV[3]
end

local id = redis.call('XADD', KEYS[1], '*', unpack(out))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return {'ok', id, attempt}
