package githubtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	gh "github.com/google/go-github/v66/github"

	"github.com/anklet/anklet/engine/enginetest"
)

// testContext ends with the test, and after 30*time.Second at the latest.
func testContext(t *testing.T) context.Context {
	t.Helper()
	return enginetest.Context(t, 30*time.Second)
}

// client returns a go-github client for s authenticated with its token.
func client(t *testing.T, s *Server) *gh.Client {
	t.Helper()
	c, err := gh.NewClient(nil).WithAuthToken(s.Token()).WithEnterpriseURLs(s.URL(), s.URL())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// hookEvent is one webhook a hookSink received.
type hookEvent struct {
	guid    string
	event   string
	header  http.Header
	payload []byte
	job     *gh.WorkflowJobEvent
}

// hookSink is a webhook receiver that validates signatures as receivers do.
type hookSink struct {
	t      *testing.T
	secret string
	status int // answer; 200 if 0

	mu     sync.Mutex
	events []hookEvent
	got    chan struct{}
}

func newSink(t *testing.T, s *Server, secret string, ct ContentType) *hookSink {
	sink := &hookSink{t: t, secret: secret, got: make(chan struct{}, 1000)}
	hs := httptest.NewServer(sink)
	t.Cleanup(hs.Close)
	s.SetWebhook(hs.URL, secret, ct)
	return sink
}

func (k *hookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	payload, err := gh.ValidatePayload(r, []byte(k.secret))
	if err != nil {
		k.t.Errorf("ValidatePayload: %v", err)
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	ev := hookEvent{guid: gh.DeliveryID(r), event: gh.WebHookType(r), header: r.Header.Clone(),
		payload: payload}
	parsed, err := gh.ParseWebHook(ev.event, payload)
	if err != nil {
		k.t.Errorf("ParseWebHook: %v", err)
	}
	if je, ok := parsed.(*gh.WorkflowJobEvent); ok {
		ev.job = je
	}
	k.mu.Lock()
	k.events = append(k.events, ev)
	status := k.status
	k.mu.Unlock()
	k.got <- struct{}{}
	if status != 0 {
		http.Error(w, "no", status)
		return
	}
	_, _ = io.WriteString(w, "ok")
}

func (k *hookSink) all() []hookEvent {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]hookEvent(nil), k.events...)
}

// actions returns "jobID:action" for each workflow_job received, in order.
func (k *hookSink) actions() []string {
	var out []string
	for _, e := range k.all() {
		if e.job != nil {
			out = append(out, e.job.GetAction()+":"+e.job.GetWorkflowJob().GetName())
		}
	}
	return out
}

// post sends a JSON body to s and decodes the JSON answer into out.
func post(t *testing.T, url, body string, out any) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("decode answer of %s: %v", url, err)
		}
	}
	return resp.StatusCode
}

// waitFor fails the test when cond does not hold within within.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	enginetest.WaitFor(t, within, what, cond)
}
