-- enqueue: store a newly queued job once.
-- KEYS[1] job hash, KEYS[2] event log, KEYS[3] work stream
-- ARGV[1] job_id, ARGV[2] run_id, ARGV[3] at, ARGV[4] host, ARGV[5] plugin,
-- ARGV[6..] optional event fields as name, value pairs
-- Reply: 'exists' or 'ok', then the job hash as name, value pairs.
-- A job with a hash, whatever its state, is left alone: webhooks repeat, and
-- may report a job in progress or done before it was queued.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return reply('exists', KEYS[1])
end
local attrs = argv_from(6)
local at = ARGV[3]

local work_id = redis.call('XADD', KEYS[3], '*', 'job_id', ARGV[1], 'attempt', '0', 'at', at)
local hash = {'state', 'queued', 'version', '1', 'run_id', ARGV[2], 'attempt', '0',
  'host', ARGV[4], 'plugin', ARGV[5], 'work_id', work_id,
  'queued_at', at, 'updated_at', at}
redis.call('HSET', KEYS[1], unpack(projected_pairs(attrs, hash)))
append_event(KEYS[2], {type = 'queued', job_id = ARGV[1], run_id = ARGV[2], attempt = '0',
  at = at, host = ARGV[4], plugin = ARGV[5], version = 1}, attrs)
return reply('ok', KEYS[1])
