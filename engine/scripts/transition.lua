-- transition: append one event to a job whose state and version are as expected.
-- KEYS[1] job hash, KEYS[2] event log, KEYS[3] work stream
-- ARGV[1] event type (the new state)
-- ARGV[2] expected version, '0' for any
-- ARGV[3] states the job may be in, space separated
-- ARGV[4] '1' when the event may create a job that has no hash
-- ARGV[5] '1' when the new state is terminal: ack the work entry, clear work_id
-- ARGV[6] work entry ID being claimed, '' for none; it must be the job's work_id
-- ARGV[7] work-stream consumer group
-- ARGV[8] job_id, ARGV[9] run_id ('0' keeps the job's), ARGV[10] at,
-- ARGV[11] host, ARGV[12] plugin
-- ARGV[13..] optional event fields as name, value pairs
-- Reply: 'ok' then the job hash as pairs; 'conflict', state, version, work_id;
-- or 'notfound'. Nothing is written unless the reply is 'ok'.
local job = read_job(KEYS[1])
local want_version = tonumber(ARGV[2])
if not job.state then
  if ARGV[4] ~= '1' then return {'notfound'} end
  if want_version ~= 0 then return conflict(job) end
else
  if not has_word(ARGV[3], job.state) then return conflict(job) end
  if want_version ~= 0 and want_version ~= job.version then return conflict(job) end
  if ARGV[6] ~= '' and ARGV[6] ~= job.work_id then return conflict(job) end
end

local attrs = argv_from(13)
local ev = {type = ARGV[1], job_id = ARGV[8], run_id = job.run_id, attempt = job.attempt,
  at = ARGV[10], host = ARGV[11], plugin = ARGV[12], version = job.version + 1}
if ARGV[9] ~= '0' then ev.run_id = ARGV[9] end

local hash = {'state', ev.type, 'version', tostring(ev.version), 'run_id', ev.run_id,
  'attempt', ev.attempt, 'host', ev.host, 'plugin', ev.plugin, 'updated_at', ev.at}
if not job.state then
  hash[#hash + 1] = 'queued_at'
  hash[#hash + 1] = ev.at
end
if ARGV[5] == '1' then
  if job.work_id ~= '' then redis.call('XACK', KEYS[3], ARGV[7], job.work_id) end
  hash[#hash + 1] = 'work_id'
  hash[#hash + 1] = ''
elseif ARGV[6] ~= '' then
  hash[#hash + 1] = 'work_id'
  hash[#hash + 1] = ARGV[6]
end
redis.call('HSET', KEYS[1], unpack(projected_pairs(attrs, hash)))
append_event(KEYS[2], ev, attrs)
return reply('ok', KEYS[1])
