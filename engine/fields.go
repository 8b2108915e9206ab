package engine

// Field names of event-log entries. Every event carries the first eight; the
// others appear when the event has something to say about them. Values are
// flat strings, so `redis-cli XRANGE` shows them as they are.
const (
	FieldType    = "type"    // event type, one of EventTypes
	FieldJobID   = "job_id"  // GitHub workflow job ID
	FieldRunID   = "run_id"  // GitHub workflow run ID, 0 when unknown
	FieldAttempt = "attempt" // work attempt, 0 the first time
	FieldAt      = "at"      // writer's clock, RFC 3339 UTC with nanoseconds
	FieldHost    = "host"    // host ID of the writer
	FieldPlugin  = "plugin"  // plugin name of the writer
	FieldVersion = "version" // job version after this event, 1 for the first

	FieldReason     = "reason"     // why a job was requeued or failed
	FieldRunner     = "runner"     // GitHub runner name (equals the VM name)
	FieldVM         = "vm"         // Anka VM name
	FieldConclusion = "conclusion" // GitHub conclusion of a completed job
	FieldConsumer   = "consumer"   // work-stream consumer that claimed the job
	FieldTemplate   = "template"   // Anka template of the job's VM
	FieldTag        = "tag"        // Anka template tag
	FieldLostHost   = "lost_host"  // host whose claim was taken over on recovery
	FieldOwner      = "owner"      // repository owner
	FieldRepo       = "repo"       // repository name
	FieldURL        = "url"        // job's HTML URL
	FieldName       = "name"       // job name
	FieldWorkflow   = "workflow"   // workflow name
	FieldLabels     = "labels"     // runs-on labels, comma-joined
	FieldDelivery   = "delivery"   // webhook delivery GUID that reported it
)

// Field names that only the projection hash, the work stream or the dead
// stream hold.
const (
	FieldState      = "state"      // projection: type of the job's last event
	FieldWorkID     = "work_id"    // projection: ID of the job's live work entry
	FieldQueuedAt   = "queued_at"  // projection: time of the job's first event
	FieldUpdatedAt  = "updated_at" // projection: time of the job's last event
	FieldDeliveries = "deliveries" // dead stream: deliveries before giving up
)

// baseFields are written on every event; Event holds them as struct fields.
var baseFields = []string{
	FieldType, FieldJobID, FieldRunID, FieldAttempt,
	FieldAt, FieldHost, FieldPlugin, FieldVersion,
}

// projectedAttrs are the optional event fields the projection keeps: the
// last value any event carried. The Lua scripts keep the same list
// (scripts/common.lua); a test checks both agree.
var projectedAttrs = []string{
	FieldOwner, FieldRepo, FieldName, FieldWorkflow, FieldURL, FieldLabels,
	FieldRunner, FieldVM, FieldConsumer, FieldConclusion, FieldReason, FieldLostHost,
}

// clearedOnRequeue are the projection fields a requeued event empties before
// its own fields apply: they described the attempt that ended.
var clearedOnRequeue = []string{FieldRunner, FieldVM, FieldConsumer, FieldLostHost}

func isBaseField(name string) bool {
	for _, f := range baseFields {
		if f == name {
			return true
		}
	}
	return false
}
