-- Safe trim of a stream, optionally right after appending one entry.
--
-- KEYS[1]   the stream
-- ARGV[1]   maxlen: keep at least this many newest entries ("0": no floor)
-- ARGV[2]   id of the entry to append ("*" lets Redis choose), or "" to only trim
-- ARGV[3..] field, value, field, value, ... of the entry to append
--
-- Returns {appended id or "", number of entries removed}.
--
-- An entry may go only when every consumer group is done with it: it is
-- older than the group's oldest pending entry and no newer than the group's
-- last-delivered-id. The threshold is the lowest of those ids over all
-- groups; XTRIM MINID removes the entries strictly below it. A stream
-- without groups is never trimmed: nothing says which entries were read.
-- Reads come first and writes last, so an error leaves nothing half done.

local function split(id)
  return string.match(id, '^(%d+)-(%d+)$')
end

-- Compares two decimal strings without leading zeros (ids are 64-bit, more
-- than a Lua number holds exactly).
local function numcmp(a, b)
  if #a ~= #b then
    return (#a < #b) and -1 or 1
  end
  if a == b then
    return 0
  end
  return (a < b) and -1 or 1
end

local function idcmp(a, b)
  local ams, aseq = split(a)
  local bms, bseq = split(b)
  local c = numcmp(ams, bms)
  if c ~= 0 then
    return c
  end
  return numcmp(aseq, bseq)
end

local threshold = nil
local function lower(id)
  if threshold == nil or idcmp(id, threshold) < 0 then
    threshold = id
  end
end

if redis.call('EXISTS', KEYS[1]) == 1 then
  local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
  for _, g in ipairs(groups) do
    local name, last
    for i = 1, #g, 2 do
      if g[i] == 'name' then
        name = g[i + 1]
      elseif g[i] == 'last-delivered-id' then
        last = g[i + 1]
      end
    end
    lower(last)
    local p = redis.call('XPENDING', KEYS[1], name)
    if p[1] > 0 then
      lower(p[2])
    end
  end
end

local id = ''
if ARGV[2] ~= '' then
  id = redis.call('XADD', KEYS[1], ARGV[2], unpack(ARGV, 3))
end

if threshold == nil or threshold == '0-0' then
  return {id, 0}
end

local maxlen = tonumber(ARGV[1])
if maxlen > 0 then
  local excess = redis.call('XLEN', KEYS[1]) - maxlen
  if excess <= 0 then
    return {id, 0}
  end
  -- The (excess+1)-th oldest entry is the oldest one the floor keeps. Only
  -- entries below the threshold matter, so the scan stops there.
  local r = redis.call('XRANGE', KEYS[1], '-', threshold, 'COUNT', excess + 1)
  if #r > excess then
    lower(r[excess + 1][1])
  end
end

local removed = redis.call('XTRIM', KEYS[1], 'MINID', threshold)
return {id, removed}
