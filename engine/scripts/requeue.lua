-- requeue: put a job back on the work stream under a new work entry.
-- KEYS[1] job hash, KEYS[2] event log, KEYS[3] work stream
-- ARGV[1] expected version, '0' for any
-- ARGV[2] states the job may be in, space separated
-- ARGV[3] work-stream consumer group
-- ARGV[4] '1' when this requeue consumes an attempt
-- ARGV[5] job_id, ARGV[6] at, ARGV[7] host, ARGV[8] plugin, ARGV[9] reason
-- ARGV[10..] optional event fields as name, value pairs (reason among them)
-- Reply: 'ok' then the job hash as pairs; 'conflict', state, version, work_id;
-- or 'notfound'. Nothing is written unless the reply is 'ok'.
local job = read_job(KEYS[1])
if not job.state then return {'notfound'} end
local want_version = tonumber(ARGV[1])
if not has_word(ARGV[2], job.state) then return conflict(job) end
if want_version ~= 0 and want_version ~= job.version then return conflict(job) end

local attempt = tonumber(job.attempt)
if ARGV[4] == '1' then attempt = attempt + 1 end
local ev = {type = 'requeued', job_id = ARGV[5], run_id = job.run_id,
  attempt = tostring(attempt), at = ARGV[6], host = ARGV[7], plugin = ARGV[8],
  version = job.version + 1}
local attrs = argv_from(10)

if job.work_id ~= '' then redis.call('XACK', KEYS[3], ARGV[3], job.work_id) end
local work_id = redis.call('XADD', KEYS[3], '*', 'job_id', ev.job_id,
  'attempt', ev.attempt, 'reason', ARGV[9], 'at', ev.at)
redis.call('HDEL', KEYS[1], unpack(cleared_on_requeue))
local hash = {'state', ev.type, 'version', tostring(ev.version), 'attempt', ev.attempt,
  'host', ev.host, 'plugin', ev.plugin, 'updated_at', ev.at, 'work_id', work_id}
redis.call('HSET', KEYS[1], unpack(projected_pairs(attrs, hash)))
append_event(KEYS[2], ev, attrs)
return reply('ok', KEYS[1])
