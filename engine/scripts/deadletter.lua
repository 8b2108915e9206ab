-- deadletter: give up on a work entry delivered too many times.
-- KEYS[1] job hash, KEYS[2] event log, KEYS[3] work stream, KEYS[4] dead stream
-- ARGV[1] work-stream consumer group, ARGV[2] terminal states, space separated
-- ARGV[3] job_id, ARGV[4] work entry ID, ARGV[5] reason, ARGV[6] deliveries,
-- ARGV[7] at, ARGV[8] host, ARGV[9] plugin
-- ARGV[10..] optional fields of the failed event as name, value pairs (reason
-- among them)
-- Reply, then the job hash as pairs (none for 'notfound'):
--   'failed'   entry moved to the dead stream and acked; the job failed
--   'acked'    the job was terminal already; entry acked only
--   'stale'    the entry is not the job's live work entry; moved and acked,
--              the job left alone
--   'notfound' the job has no hash; entry moved and acked
local job = read_job(KEYS[1])
local function bury()
  redis.call('XACK', KEYS[3], ARGV[1], ARGV[4])
  redis.call('XADD', KEYS[4], '*', 'job_id', ARGV[3], 'work_id', ARGV[4],
    'reason', ARGV[5], 'deliveries', ARGV[6], 'at', ARGV[7])
end

if not job.state then
  bury()
  return {'notfound'}
end
if has_word(ARGV[2], job.state) then
  redis.call('XACK', KEYS[3], ARGV[1], ARGV[4])
  return reply('acked', KEYS[1])
end
if job.work_id ~= ARGV[4] then
  bury()
  return reply('stale', KEYS[1])
end

bury()
local ev = {type = 'failed', job_id = ARGV[3], run_id = job.run_id, attempt = job.attempt,
  at = ARGV[7], host = ARGV[8], plugin = ARGV[9], version = job.version + 1}
local attrs = argv_from(10)
local hash = {'state', ev.type, 'version', tostring(ev.version), 'host', ev.host,
  'plugin', ev.plugin, 'updated_at', ev.at, 'work_id', ''}
redis.call('HSET', KEYS[1], unpack(projected_pairs(attrs, hash)))
append_event(KEYS[2], ev, attrs)
return reply('failed', KEYS[1])
