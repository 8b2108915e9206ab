package receiver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github/githubtest"
	"github.com/anklet/anklet/streams"
	"github.com/anklet/anklet/streams/redistest"
)

// FuzzReceiver posts random bodies and headers, signed or not, and checks
// that the receiver never panics, answers only with the documented codes,
// never lets an unsigned request past the signature check, and stores
// nothing but jobs of ours: every new event must belong to a job with an
// anka-template: label whose repository is under the configured owner, and
// must come from a request answered "stored".
func FuzzReceiver(f *testing.F) {
	// The test log writer may not be used from inside a fuzz target.
	b := setup(f, func(o *Options) { o.Log = zerolog.Nop() }, redistest.WithArgs("--save", ""))
	for _, s := range fuzzSeeds() {
		f.Add(s.body, s.event, s.ctype, s.sign, s.guid)
	}

	var mu sync.Mutex
	last := "0"
	f.Fuzz(func(t *testing.T, body []byte, event, ctype string, sign bool, guid string) {
		mu.Lock()
		defer mu.Unlock()
		req := httptest.NewRequest(http.MethodPost, WebhookPath, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("X-GitHub-Event", event)
		req.Header.Set("X-GitHub-Delivery", guid)
		sig := "sha256=" + strings.Repeat("ab", 32)
		if sign {
			sig = githubtest.Signature256(testSecret, body)
		}
		req.Header.Set("X-Hub-Signature-256", sig)
		rec := httptest.NewRecorder()
		b.r.Handler().ServeHTTP(rec, req)

		switch rec.Code {
		case 200, 400, 401, 403, 413, 415, 503:
		default:
			t.Fatalf("status %d %q is not one the receiver documents", rec.Code, rec.Body)
		}
		if !sign && rec.Code != 401 && rec.Code != 413 && rec.Code != 415 {
			t.Fatalf("unsigned request answered %d %q", rec.Code, rec.Body)
		}
		stored := rec.Code == 200 && word(rec.Body.String()) == ResultStored
		last = checkNewEvents(t, b, last, stored)
	})
}

// checkNewEvents checks the events after id last and returns the newest id.
func checkNewEvents(t *testing.T, b *bundle, last string, stored bool) string {
	t.Helper()
	ctx := context.Background()
	msgs, err := b.rdb.XRange(ctx, b.keys.Events(), "("+last, "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) > 0 && !stored {
		t.Fatalf("%d events stored by a request not answered stored", len(msgs))
	}
	for _, m := range msgs {
		last = m.ID
		ev, err := engine.ParseEvent(streams.Entry{ID: m.ID, Fields: stringFields(m.Values)})
		if err != nil {
			t.Fatalf("garbage event %s: %v", m.ID, err)
		}
		j, err := b.r.store.Get(ctx, ev.JobID)
		if err != nil {
			t.Fatalf("event %s for job %d without a projection: %v", m.ID, ev.JobID, err)
		}
		if !hasTemplateLabel(j.Labels) || !strings.EqualFold(j.Owner, testOwner) ||
			j.Repo == "" {
			t.Fatalf("stored job %d of %s/%s with labels %q", j.ID, j.Owner, j.Repo, j.Labels)
		}
	}
	return last
}

type fuzzSeed struct {
	body  []byte
	event string
	ctype string
	sign  bool
	guid  string
}

func fuzzSeeds() []fuzzSeed {
	const js, form = "application/json", "application/x-www-form-urlencoded"
	upper := job(actionQueued, 803)
	upper.Job.Labels = []string{"ANKA-TEMPLATE:x"}
	tagOnly := job(actionQueued, 804)
	tagOnly.Job.Labels = []string{"anka-template-tag:x"}
	foreign := job(actionCompleted, 805)
	foreign.Job.Owner = "evil"
	formBody := []byte("payload=" + url.QueryEscape(string(job(actionQueued, 806).Payload())))
	return []fuzzSeed{
		{job(actionQueued, 801).Payload(), "workflow_job", js, true, "guid-801"},
		{job(actionInProgress, 801).Payload(), "workflow_job", js, true, "guid-801-p"},
		{job(actionCompleted, 802).Payload(), "workflow_job", js, true, "guid-802"},
		{job(actionWaiting, 802).Payload(), "workflow_job", js, true, "guid-802-w"},
		{upper.Payload(), "workflow_job", js, true, "guid-803"},
		{tagOnly.Payload(), "workflow_job", js, true, "guid-804"},
		{foreign.Payload(), "workflow_job", js, true, "guid-805"},
		{formBody, "workflow_job", form, true, "guid-806"},
		{job(actionQueued, 807).Payload(), "workflow_job", js, false, "guid-807"},
		{[]byte(`{"zen":"x","hook_id":1}`), "ping", js, true, "guid-808"},
		{[]byte(`{"action":"queued","workflow_job":{"id":-1}}`), "workflow_job", js, true, "g"},
		{[]byte(`not json`), "workflow_job", "text/plain", true, "guid-809"},
		{[]byte{}, "", "", false, ""},
	}
}
