package metrics

// Redis keys of the metrics snapshots. Each anklet process writes its
// snapshot under SnapshotKey(instance) with an expiry, and records the
// instance in the SnapshotIndex sorted set with the expiry time (Unix
// milliseconds) as score, so the aggregator finds live snapshots with one
// ZRANGEBYSCORE instead of KEYS or SCAN.
//
//	anklet:metrics             ZSET member <instance>, score expiry (Unix ms)
//	anklet:metrics:<instance>  string: the instance's JSON snapshot, with expiry
const SnapshotIndex = "anklet:metrics"

// SnapshotKey is the Redis key holding the JSON snapshot of one instance.
func SnapshotKey(instance string) string { return SnapshotIndex + ":" + instance }
