package receiver

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	gh "github.com/google/go-github/v66/github"
)

// Content types GitHub sends webhooks with.
const (
	contentJSON = "application/json"
	contentForm = "application/x-www-form-urlencoded"
)

// maxHeaderLog bounds how much of a header value reaches the log.
const maxHeaderLog = 100

// serveWebhook answers POST /jobs/v1/receiver.
func (r *Receiver) serveWebhook(w http.ResponseWriter, req *http.Request) {
	o := r.webhook(w, req)
	o.write(w)
	r.opts.Metrics.Webhook(o.metric())
	o.log(r.log)
}

// webhook checks one request and applies it; see the package documentation
// for the order of the checks.
func (r *Receiver) webhook(w http.ResponseWriter, req *http.Request) outcome {
	o := outcome{
		started: time.Now(),
		event:   clip(gh.WebHookType(req)),
		guid:    clip(gh.DeliveryID(req)),
	}

	if req.ContentLength > MaxBodyBytes {
		return o.set(http.StatusRequestEntityTooLarge, ResultInvalid, "body over 25 MiB")
	}
	ctype, _, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || (ctype != contentJSON && ctype != contentForm) {
		return o.set(http.StatusUnsupportedMediaType, ResultInvalid,
			"content type must be application/json or application/x-www-form-urlencoded")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return o.set(http.StatusRequestEntityTooLarge, ResultInvalid, "body over 25 MiB")
		}
		return o.failed(http.StatusBadRequest, ResultInvalid, "body could not be read", err)
	}

	sig := req.Header.Get(gh.SHA256SignatureHeader)
	if sig == "" {
		sig = req.Header.Get(gh.SHA1SignatureHeader)
	}
	if sig == "" {
		return o.set(http.StatusUnauthorized, ResultRefused, "missing signature")
	}
	if err := gh.ValidateSignature(sig, body, r.secret); err != nil {
		return o.set(http.StatusUnauthorized, ResultRefused, "bad signature")
	}
	// The signature is checked; this only takes the JSON out of a form body.
	payload, err := gh.ValidatePayloadFromBody(ctype, bytes.NewReader(body), "", nil)
	if err != nil || len(payload) == 0 {
		return o.failed(http.StatusBadRequest, ResultInvalid, "empty payload", err)
	}

	switch {
	case o.event == "":
		return o.set(http.StatusBadRequest, ResultInvalid, "missing X-GitHub-Event")
	case !validGUID(o.guid):
		return o.set(http.StatusBadRequest, ResultInvalid, "missing or malformed X-GitHub-Delivery")
	}
	switch o.event {
	case "ping":
		if _, err := gh.ParseWebHook(o.event, payload); err != nil {
			return o.failed(http.StatusBadRequest, ResultInvalid, "malformed JSON", err)
		}
		return o.set(http.StatusOK, ResultIgnored, "ping")
	case "workflow_job":
		return r.workflowJob(req.Context(), o, payload)
	}
	return o.set(http.StatusOK, ResultIgnored, "event "+o.event)
}

// workflowJob applies a signed workflow_job webhook.
func (r *Receiver) workflowJob(ctx context.Context, o outcome, payload []byte) outcome {
	parsed, err := gh.ParseWebHook(o.event, payload)
	if err != nil {
		return o.failed(http.StatusBadRequest, ResultInvalid, "malformed JSON", err)
	}
	j, err := readJob(parsed.(*gh.WorkflowJobEvent))
	if err != nil {
		return o.failed(http.StatusBadRequest, ResultInvalid, err.Error(), nil)
	}
	o.action, o.jobID, o.runID = clip(j.action), j.id, j.runID

	if !inScope(j, r.opts.Owner, r.opts.Repo) {
		return o.set(http.StatusForbidden, ResultRefused,
			"repository "+clip(j.owner+"/"+j.repo)+" is outside "+r.scope())
	}
	if !j.hasOurLabels {
		return o.set(http.StatusOK, ResultIgnored, "no "+TemplateLabelPrefix+" label")
	}
	c, ignore := plan(j, o.guid)
	if ignore != "" {
		return o.set(http.StatusOK, ResultIgnored, ignore)
	}
	return r.apply(ctx, o, j.id, c)
}

// scope renders the accepted owner or owner/repo.
func (r *Receiver) scope() string {
	if r.opts.Repo == "" {
		return r.opts.Owner
	}
	return r.opts.Owner + "/" + r.opts.Repo
}

// validGUID accepts what GitHub sends as X-GitHub-Delivery (a UUID) and
// anything else that is safe in a Redis key: 1 to 64 letters, digits and
// dashes.
func validGUID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		ok := c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			(c >= 'A' && c <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}

// clip shortens a value taken from the request before it is logged.
func clip(s string) string {
	if len(s) > maxHeaderLog {
		return s[:maxHeaderLog] + "…"
	}
	return s
}
