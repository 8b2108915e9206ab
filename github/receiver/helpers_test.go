package receiver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/engine/enginetest"
	"github.com/anklet/anklet/github/githubtest"
	"github.com/anklet/anklet/streams"
	"github.com/anklet/anklet/streams/redistest"
)

const (
	testOwner    = "acme"
	testRepo     = "app"
	testSecret   = "It's a Secret to Everybody"
	testTemplate = "anka-template:84266873-da90-4e0d-903b-ed0233471f9f"
	testRunner   = "anklet-vm-2f1c0d1e"
)

// bundle is what setup returns: the receiver, its Redis, a raw client for
// checks, and a webhook sender pointed at the receiver over real HTTP.
type bundle struct {
	r      *Receiver
	srv    *redistest.Server
	rdb    *redis.Client
	keys   streams.Keys
	url    string
	sender *githubtest.Sender
}

// setup starts a private Redis (AOF with fsync always, unless redisOpts say
// otherwise) and a receiver for owner acme served by an
// httptest server on 127.0.0.1. The receiver's Redis client is built the
// way the daemon builds it (config.Database.Client), with go-redis's
// retries. Redelivery is off unless mod turns it on.
func setup(t testing.TB, mod func(*Options), redisOpts ...redistest.Option) *bundle {
	t.Helper()
	if len(redisOpts) == 0 {
		redisOpts = []redistest.Option{redistest.WithAOF("always")}
	}
	srv := redistest.Start(t, redisOpts...)
	client := config.Database{URL: "127.0.0.1", Port: srv.Port()}.Client()
	opts := Options{
		Name: "receiver", Owner: testOwner, Host: "host-r", Secret: testSecret,
		Redis: client, OwnRedis: true, SkipRedeliver: true,
		Log: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel),
	}
	if mod != nil {
		mod(&opts)
	}
	r, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	ts := httptest.NewServer(r.Handler())
	t.Cleanup(ts.Close)

	return &bundle{
		r: r, srv: srv, rdb: srv.Client(), keys: r.keys, url: ts.URL + WebhookPath,
		sender: &githubtest.Sender{URL: ts.URL + WebhookPath, Secret: testSecret,
			HookID: 424242, TargetType: "organization", TargetID: 800000001},
	}
}

// job returns a workflow_job event of ours for job id in acme/app.
func job(action string, id int64) githubtest.WorkflowJobEvent {
	j := githubtest.Job{
		ID: id, RunID: 15000000000 + id, Owner: testOwner, Repo: testRepo,
		Name: "build", Workflow: "CI", Labels: []string{testTemplate, "anka-template-tag:v1"},
		Status: "queued", CreatedAt: time.Now(), StartedAt: time.Now(),
		HTMLURL: "https://github.com/acme/app/actions/runs/1/job/" + strconv.FormatInt(id, 10),
	}
	switch action {
	case actionInProgress:
		j.Status, j.RunnerID, j.RunnerName = "in_progress", 42, testRunner
		j.RunnerGroupID, j.RunnerGroupName = 1, "Default"
	case actionCompleted:
		j.Status, j.Conclusion, j.CompletedAt = "completed", githubtest.Success, time.Now()
		j.RunnerID, j.RunnerName = 42, testRunner
		j.RunnerGroupID, j.RunnerGroupName = 1, "Default"
	}
	return githubtest.WorkflowJobEvent{Action: action, Job: j, Org: true}
}

// send delivers a workflow_job webhook with a new GUID unless guid is set.
func (b *bundle) send(t testing.TB, ev githubtest.WorkflowJobEvent, guid string) githubtest.Result {
	t.Helper()
	if guid == "" {
		guid = uuid.NewString()
	}
	res, err := b.sender.Send(context.Background(), "workflow_job", guid, ev.Payload())
	if err != nil {
		t.Fatalf("send %s of job %d: %v", ev.Action, ev.Job.ID, err)
	}
	return res
}

// mustSend is send that fails the test unless the answer is 200 with the
// result word want.
func (b *bundle) mustSend(t testing.TB, ev githubtest.WorkflowJobEvent, guid, want string) {
	t.Helper()
	res := b.send(t, ev, guid)
	if res.StatusCode != http.StatusOK || word(res.Body) != want {
		t.Fatalf("%s of job %d: %d %q, want 200 %s", ev.Action, ev.Job.ID, res.StatusCode,
			res.Body, want)
	}
}

// word is the result word of an answer's body.
func word(body string) string {
	w, _, _ := strings.Cut(strings.TrimSpace(body), ":")
	return w
}

// workEntries returns the work-stream entries of job id.
func (b *bundle) workEntries(t testing.TB, id int64) []redis.XMessage {
	t.Helper()
	all, err := b.rdb.XRange(context.Background(), b.keys.Jobs(), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	var out []redis.XMessage
	for _, m := range all {
		if m.Values[engine.FieldJobID] == strconv.FormatInt(id, 10) {
			out = append(out, m)
		}
	}
	return out
}

// events returns the events of job id, oldest first.
func (b *bundle) events(t testing.TB, id int64) []engine.Event {
	t.Helper()
	evs, err := b.r.store.History(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// stringFields turns a stream entry's values into the fields
// engine.ParseEvent reads.
func stringFields(v map[string]any) map[string]string {
	out := make(map[string]string, len(v))
	for k, x := range v {
		out[k], _ = x.(string)
	}
	return out
}

// xlen is the length of stream key.
func (b *bundle) xlen(t testing.TB, key string) int64 {
	t.Helper()
	n, err := b.rdb.XLen(context.Background(), key).Result()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor fails the test when cond does not hold within d.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	enginetest.WaitFor(t, d, what, cond)
}
