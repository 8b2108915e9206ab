package receiver

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/anklet/anklet/github/githubtest"
)

// request is a webhook about to be sent: headers and the body they sign.
type request struct {
	header http.Header
	body   []byte
}

// signed builds the request GitHub would send for event with payload.
func signed(event string, payload []byte) request {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-GitHub-Event", event)
	h.Set("X-GitHub-Delivery", uuid.NewString())
	h.Set("X-Hub-Signature-256", githubtest.Signature256(testSecret, payload))
	h.Set("X-Hub-Signature", githubtest.Signature1(testSecret, payload))
	return request{header: h, body: payload}
}

// resign signs the body again after a change.
func (q request) resign() request {
	q.header.Set("X-Hub-Signature-256", githubtest.Signature256(testSecret, q.body))
	q.header.Set("X-Hub-Signature", githubtest.Signature1(testSecret, q.body))
	return q
}

func (b *bundle) post(t *testing.T, method string, q request) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, b.url, bytes.NewReader(q.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = q.header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestWebhookAnswers(t *testing.T) {
	b := setup(t, nil)
	queued := job(actionQueued, 101).Payload()
	foreign := job(actionQueued, 102)
	foreign.Job.Owner = "evil-org"
	upper := job(actionQueued, 103)
	upper.Job.Owner = "ACME"
	notOurs := job(actionQueued, 104)
	notOurs.Job.Labels = []string{"ubuntu-latest", "anka-template-tag:v1"}
	waiting := job(actionWaiting, 105)
	cancelledRun := job(actionInProgress, 106)
	cancelledRun.Job.Conclusion = githubtest.Cancelled
	comma := job(actionQueued, 107)
	comma.Job.Labels = []string{testTemplate, "a,b"}
	repeat := signed("workflow_job", job(actionQueued, 108).Payload())

	tests := []struct {
		name     string
		method   string
		req      request
		status   int
		word     string
		newEvent bool
	}{
		{"queued job of ours", "", signed("workflow_job", queued), 200, ResultStored, true},
		{"first of a repeated delivery", "", repeat, 200, ResultStored, true},
		{"same delivery again", "", repeat, 200, ResultDuplicate, false},
		{"owner in other case", "", signed("workflow_job", upper.Payload()), 200, ResultStored,
			true},
		{"form encoded", "", formEncoded(job(actionQueued, 109).Payload()), 200, ResultStored,
			true},
		{"legacy sha1 signature only", "", without(signed("workflow_job",
			job(actionQueued, 110).Payload()), "X-Hub-Signature-256"), 200, ResultStored, true},
		{"bad signature", "", with(signed("workflow_job", job(actionQueued, 111).Payload()),
			"X-Hub-Signature-256", "sha256=00"), 401, ResultRefused, false},
		{"signature of another body", "", with(signed("workflow_job", queued),
			"X-Hub-Signature-256", githubtest.Signature256(testSecret, []byte("{}"))), 401,
			ResultRefused, false},
		{"wrong secret", "", with(signed("workflow_job", queued), "X-Hub-Signature-256",
			githubtest.Signature256("guess", queued)), 401, ResultRefused, false},
		{"missing signature", "", without(without(signed("workflow_job", queued),
			"X-Hub-Signature-256"), "X-Hub-Signature"), 401, ResultRefused, false},
		{"unsupported content type", "", with(signed("workflow_job", queued), "Content-Type",
			"text/plain"), 415, ResultInvalid, false},
		{"missing content type", "", without(signed("workflow_job", queued), "Content-Type"),
			415, ResultInvalid, false},
		{"malformed JSON", "", signed("workflow_job", []byte(`{"action":"queued",`)), 400,
			ResultInvalid, false},
		{"JSON of the wrong shape", "", signed("workflow_job", []byte(`{"workflow_job":7}`)),
			400, ResultInvalid, false},
		{"no workflow_job object", "", signed("workflow_job", []byte(`{"action":"queued"}`)),
			400, ResultInvalid, false},
		{"empty body", "", signed("workflow_job", []byte{}), 400, ResultInvalid, false},
		{"missing X-GitHub-Event", "", without(signed("workflow_job", queued),
			"X-GitHub-Event"), 400, ResultInvalid, false},
		{"missing X-GitHub-Delivery", "", without(signed("workflow_job",
			job(actionQueued, 112).Payload()), "X-GitHub-Delivery"), 400, ResultInvalid, false},
		{"delivery unsafe in a key", "", with(signed("workflow_job",
			job(actionQueued, 113).Payload()), "X-GitHub-Delivery", "a:b*"), 400, ResultInvalid,
			false},
		{"ping", "", signed("ping", []byte(`{"zen":"Design for failure.","hook_id":1}`)), 200,
			ResultIgnored, false},
		{"other event", "", signed("push", []byte(`{"ref":"main"}`)), 200, ResultIgnored, false},
		{"waiting", "", signed("workflow_job", waiting.Payload()), 200, ResultIgnored, false},
		{"in_progress of a cancelled job", "", signed("workflow_job", cancelledRun.Payload()), 200,
			ResultIgnored, false},
		{"not an anka job", "", signed("workflow_job", notOurs.Payload()), 200, ResultIgnored,
			false},
		{"label with a comma", "", signed("workflow_job", comma.Payload()), 200, ResultIgnored,
			false},
		{"repository of another owner", "", signed("workflow_job", foreign.Payload()), 403,
			ResultRefused, false},
		{"GET on the webhook path", http.MethodGet, signed("workflow_job", queued), 405, "",
			false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := b.xlen(t, b.keys.Events())
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			status, body := b.post(t, method, tt.req)
			if status != tt.status || (tt.word != "" && word(body) != tt.word) {
				t.Errorf("got %d %q, want %d %s", status, body, tt.status, tt.word)
			}
			if grew := b.xlen(t, b.keys.Events()) > before; grew != tt.newEvent {
				t.Errorf("new event stored: %v, want %v", grew, tt.newEvent)
			}
		})
	}
}

func TestWebhookRepoScope(t *testing.T) {
	b := setup(t, func(o *Options) { o.Repo = testRepo })
	other := job(actionQueued, 201)
	other.Job.Repo = "other"
	if res := b.send(t, other, ""); res.StatusCode != http.StatusForbidden {
		t.Errorf("job of acme/other: %d %q, want 403", res.StatusCode, res.Body)
	}
	same := job(actionQueued, 202)
	same.Job.Repo = "APP"
	b.mustSend(t, same, "", ResultStored)
	if n := b.xlen(t, b.keys.Jobs()); n != 1 {
		t.Errorf("work entries = %d, want 1", n)
	}
}

// TestWebhookTooLarge checks both 413 paths on the handler itself: a
// declared Content-Length is refused before any byte is read, and a body
// without one is cut off after 25 MiB.
func TestWebhookTooLarge(t *testing.T) {
	b := setup(t, nil)
	for _, declared := range []bool{true, false} {
		body := &countingReader{left: MaxBodyBytes + 1<<20}
		req, err := http.NewRequest(http.MethodPost, WebhookPath, body)
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = -1
		if declared {
			req.ContentLength = body.left
		}
		req.Header = signed("workflow_job", nil).header
		rec := newRecorder()
		b.r.Handler().ServeHTTP(rec, req)

		if rec.status != http.StatusRequestEntityTooLarge {
			t.Errorf("declared %v: status %d, want 413", declared, rec.status)
		}
		switch {
		case declared && body.read != 0:
			t.Errorf("declared length: read %d bytes, want 0", body.read)
		case !declared && body.read > MaxBodyBytes+64<<10:
			t.Errorf("chunked: read %d bytes, want about %d", body.read, MaxBodyBytes)
		}
	}
}

// countingReader yields left zero bytes and counts what was read.
type countingReader struct{ left, read int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left == 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	n = min(n, c.left)
	clear(p[:n])
	c.left -= n
	c.read += n
	return int(n), nil
}

// recorder is a minimal http.ResponseWriter.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder                    { return &recorder{header: http.Header{}} }
func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(p []byte) (int, error) { return r.body.Write(p) }

func with(q request, name, value string) request {
	h := q.header.Clone()
	h.Set(name, value)
	return request{header: h, body: q.body}
}

func without(q request, name string) request {
	h := q.header.Clone()
	h.Del(name)
	return request{header: h, body: q.body}
}

func formEncoded(payload []byte) request {
	q := signed("workflow_job", []byte("payload="+url.QueryEscape(string(payload))))
	q.header.Set("Content-Type", "application/x-www-form-urlencoded")
	return q.resign()
}

func TestHealthcheck(t *testing.T) {
	b := setup(t, nil)
	addr := strings.TrimPrefix(strings.TrimSuffix(b.url, WebhookPath), "http://")
	if err := Probe(context.Background(), addr, 0); err == nil {
		t.Errorf("probe with no time left succeeded")
	}
	if err := Probe(context.Background(), addr, 5e9); err != nil {
		t.Errorf("probe with redis up: %v", err)
	}
	b.srv.Kill()
	if err := Probe(context.Background(), addr, 5e9); err == nil ||
		!strings.Contains(err.Error(), "503") {
		t.Errorf("probe with redis down: %v, want a 503", err)
	}
	b.srv.Restart()
	waitFor(t, 10e9, "healthy after restart", func() bool {
		return Probe(context.Background(), addr, 5e9) == nil
	})
}

func TestProbeAddr(t *testing.T) {
	for in, want := range map[string]string{
		"": "127.0.0.1:8", "0.0.0.0": "127.0.0.1:8", "::": "127.0.0.1:8",
		"127.0.0.1": "127.0.0.1:8", "10.0.0.5": "10.0.0.5:8", "::1": "[::1]:8",
	} {
		if got := ProbeAddr(in, 8); got != want {
			t.Errorf("ProbeAddr(%q) = %q, want %q", in, got, want)
		}
	}
}
