package receiver

import (
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine/metrics"
)

// Result words: the first word of every webhook answer's body.
const (
	ResultStored      = "stored"      // the change is in Redis
	ResultDuplicate   = "duplicate"   // this delivery or this job state was stored before
	ResultStale       = "stale"       // the job is already past what the webhook reports
	ResultIgnored     = "ignored"     // nothing to do: not a job of ours, or an action we skip
	ResultRefused     = "refused"     // bad signature, or a repository outside the owner
	ResultInvalid     = "invalid"     // malformed request
	ResultUnavailable = "unavailable" // Redis failed; nothing was written
)

// outcome is what became of one webhook.
type outcome struct {
	status  int
	result  string
	reason  string
	err     error
	event   string
	action  string
	guid    string
	jobID   int64
	runID   int64
	started time.Time
}

// set fills the answer and returns the outcome, for one-line returns.
func (o outcome) set(status int, result, reason string) outcome {
	o.status, o.result, o.reason = status, result, reason
	return o
}

// failed is set for an outcome caused by err.
func (o outcome) failed(status int, result, reason string, err error) outcome {
	o = o.set(status, result, reason)
	o.err = err
	return o
}

// body is the answer's text: the result word and the reason, if any.
func (o outcome) body() string {
	if o.reason == "" {
		return o.result
	}
	return o.result + ": " + o.reason
}

// metric is the result as counted by metrics.Plugin.Webhook.
func (o outcome) metric() string {
	switch o.result {
	case ResultStored:
		return metrics.WebhookStored
	case ResultDuplicate:
		return metrics.WebhookDuplicate
	case ResultStale, ResultIgnored:
		return metrics.WebhookIgnored
	case ResultRefused:
		return metrics.WebhookRefused
	case ResultInvalid:
		return metrics.WebhookInvalid
	}
	return metrics.WebhookError
}

// write sends the answer.
func (o outcome) write(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(o.status)
	_, _ = w.Write([]byte(o.body()))
}

// level is how loud the webhook's log line is: work done at info, webhooks
// that are none of our business at debug, rejected ones at warn and
// failures at error.
func (o outcome) level() zerolog.Level {
	switch o.result {
	case ResultStored, ResultDuplicate, ResultStale:
		return zerolog.InfoLevel
	case ResultIgnored:
		return zerolog.DebugLevel
	case ResultRefused, ResultInvalid:
		return zerolog.WarnLevel
	}
	return zerolog.ErrorLevel
}

// log writes the webhook's one log line. The payload and the secret are
// never logged.
func (o outcome) log(l zerolog.Logger) {
	e := l.WithLevel(o.level())
	if e == nil {
		return
	}
	e = e.Str("delivery", o.guid).Str("event", o.event).Str("result", o.result).
		Int("status", o.status)
	if o.action != "" {
		e = e.Str("action", o.action)
	}
	if o.jobID != 0 {
		e = e.Int64("job_id", o.jobID).Int64("run_id", o.runID)
	}
	if o.reason != "" {
		e = e.Str("reason", o.reason)
	}
	if o.err != nil {
		e = e.Err(o.err)
	}
	e.Dur("took", time.Since(o.started)).Msg("webhook " + o.result)
}
