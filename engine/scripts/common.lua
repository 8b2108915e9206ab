-- Helpers shared by the engine's scripts; prepended to each of them.
-- They read and write only keys the calling script received in KEYS.

-- Optional event fields the job hash keeps (engine.projectedAttrs).
local projected = {
  owner = true, repo = true, name = true, workflow = true, url = true, labels = true,
  runner = true, vm = true, consumer = true, conclusion = true, reason = true,
  lost_host = true,
}

-- Hash fields a requeued event empties (engine.clearedOnRequeue).
local cleared_on_requeue = {'runner', 'vm', 'consumer', 'lost_host'}

-- has_word reports whether the space-separated list holds word.
local function has_word(list, word)
  for w in string.gmatch(list, '%S+') do
    if w == word then return true end
  end
  return false
end

-- read_job returns the fields a script decides on; state is false when the
-- job has no hash.
local function read_job(key)
  local v = redis.call('HMGET', key, 'state', 'version', 'work_id', 'run_id', 'attempt')
  return {
    state = v[1], version = tonumber(v[2] or '0'), work_id = v[3] or '',
    run_id = v[4] or '0', attempt = v[5] or '0',
  }
end

-- conflict is the reply when the job is not in the expected state or version.
local function conflict(job)
  return {'conflict', job.state or '', tostring(job.version), job.work_id}
end

-- projected_pairs returns the name, value pairs of attrs (a flat list) that
-- the hash keeps, appended to out.
local function projected_pairs(attrs, out)
  for i = 1, #attrs, 2 do
    if projected[attrs[i]] then
      out[#out + 1] = attrs[i]
      out[#out + 1] = attrs[i + 1]
    end
  end
  return out
end

-- append_event adds an event with the base fields of ev and the flat attrs.
local function append_event(key, ev, attrs)
  local args = {key, '*',
    'type', ev.type, 'job_id', ev.job_id, 'run_id', ev.run_id, 'attempt', ev.attempt,
    'at', ev.at, 'host', ev.host, 'plugin', ev.plugin, 'version', tostring(ev.version)}
  for i = 1, #attrs do args[#args + 1] = attrs[i] end
  return redis.call('XADD', unpack(args))
end

-- reply returns status followed by the job hash as name, value pairs.
local function reply(status, key)
  local out = redis.call('HGETALL', key)
  table.insert(out, 1, status)
  return out
end

-- argv_from returns ARGV[first..] as a list.
local function argv_from(first)
  local out = {}
  for i = first, #ARGV do out[#out + 1] = ARGV[i] end
  return out
end

