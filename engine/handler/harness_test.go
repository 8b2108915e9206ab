package handler

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/anklet/anklet/anka"
	"github.com/anklet/anklet/anka/ankatest"
	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/engine/enginetest"
	"github.com/anklet/anklet/github"
	"github.com/anklet/anklet/github/githubtest"
	"github.com/anklet/anklet/streams"
	"github.com/anklet/anklet/streams/redistest"
)

// The queue, organisation and template every test uses.
const (
	testOwner    = "acme"
	testRepo     = "app"
	testTemplate = "c0847bc9-5d2d-4dbc-ba6a-240f7ff08032"
	testTag      = "v1"
)

// shippedPlugins is the repository's plugin directory.
var shippedPlugins, _ = filepath.Abs("../../testdata/plugins")

// world is one test's GitHub, Redis and receiver; hosts and handlers are
// added to it.
type world struct {
	t     *testing.T
	redis *redistest.Server
	rdb   *redis.Client
	gh    *githubtest.Server
	store *engine.Store // writes as the receiver does

	logs    lockedBuffer // every handler's log lines
	secrets secretList   // every secret handed to the scrubber
}

// lockedBuffer collects log lines from many goroutines.
type lockedBuffer = enginetest.Buffer

// secretList records what handlers hand to the log scrubber.
type secretList struct {
	mu     sync.Mutex
	values []string
}

func (s *secretList) Add(secrets ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values = append(s.values, secrets...)
}

func (s *secretList) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.values...)
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, redis: redistest.Start(t)}
	w.rdb = w.redis.Client()
	w.gh = githubtest.NewServer(t)
	var err error
	w.store, err = engine.NewStore(w.rdb, testOwner, "receiver-host", "receiver")
	if err != nil {
		t.Fatal(err)
	}
	sink := httptest.NewServer(http.HandlerFunc(w.webhook))
	t.Cleanup(sink.Close)
	w.gh.SetWebhook(sink.URL, "", githubtest.JSON)
	return w
}

// labels are the runs-on labels of a job on the test template.
func labels(extra ...string) []string {
	return append([]string{"self-hosted", "anka-template:" + testTemplate,
		"anka-template-tag:" + testTag}, extra...)
}

// queue queues a job on GitHub; its webhook reaches the queue.
func (w *world) queue(extra ...string) int64 {
	return w.queueSpec(githubtest.JobSpec{Labels: labels(extra...)})
}

func (w *world) queueSpec(spec githubtest.JobSpec) int64 {
	if spec.Owner == "" {
		spec.Owner, spec.Repo = testOwner, testRepo
	}
	j := w.gh.QueueJob(spec)
	if j.ID == 0 {
		w.t.Fatal("queue job failed")
	}
	return j.ID
}

// webhook stores workflow_job deliveries the way the receiver does: queued
// jobs are enqueued, in_progress and completed become transitions, and
// conflicts (repeats, late arrivals) are ignored.
func (w *world) webhook(rw http.ResponseWriter, req *http.Request) {
	if req.Header.Get("X-GitHub-Event") != "workflow_job" {
		return
	}
	var p struct {
		Action string `json:"action"`
		Job    struct {
			ID           int64    `json:"id"`
			RunID        int64    `json:"run_id"`
			Name         string   `json:"name"`
			WorkflowName string   `json:"workflow_name"`
			HTMLURL      string   `json:"html_url"`
			Labels       []string `json:"labels"`
			Conclusion   *string  `json:"conclusion"`
			RunnerName   *string  `json:"runner_name"`
		} `json:"workflow_job"`
		Repo struct {
			Name  string `json:"name"`
			Owner struct {
				Login string `json:"login"`
			} `json:"owner"`
		} `json:"repository"`
	}
	if err := json.NewDecoder(req.Body).Decode(&p); err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	if !strings.Contains(strings.Join(p.Job.Labels, ","), "anka-template") {
		return
	}
	ctx, j := req.Context(), p.Job
	var err error
	switch p.Action {
	case "queued":
		_, _, err = w.store.Enqueue(ctx, engine.JobSpec{ID: j.ID, RunID: j.RunID,
			Owner: p.Repo.Owner.Login, Repo: p.Repo.Name, Name: j.Name,
			Workflow: j.WorkflowName, URL: j.HTMLURL, Labels: j.Labels,
			Delivery: req.Header.Get("X-GitHub-Delivery")})
	case "in_progress", "completed":
		ev := engine.Event{Type: engine.EventInProgress, RunID: j.RunID,
			Attrs: map[string]string{}}
		if j.RunnerName != nil && *j.RunnerName != "" {
			ev.Attrs[engine.FieldRunner] = *j.RunnerName
		}
		if p.Action == "completed" {
			ev.Type = engine.EventCompleted
			if j.Conclusion != nil {
				ev.Attrs[engine.FieldConclusion] = *j.Conclusion
				if *j.Conclusion == githubtest.Cancelled {
					ev.Type = engine.EventCanceled
				}
			}
		}
		_, err = w.store.Transition(ctx, j.ID, engine.Expect{}, ev)
		if errors.Is(err, engine.ErrConflict) || errors.Is(err, engine.ErrNotFound) {
			err = nil
		}
	}
	if err != nil {
		http.Error(rw, err.Error(), http.StatusInternalServerError)
	}
}

// host is one simulated Anka host: its fake CLI and its work directory.
type host struct {
	id      string
	workDir string
	fake    *ankatest.Host
	cli     *anka.CLI
}

// newHost makes a host with the test template installed.
func (w *world) newHost(id string) *host {
	w.t.Helper()
	fake := ankatest.NewHost(w.t, ankatest.HostOptions{})
	fake.AddTemplate(ankatest.Template{UUID: testTemplate, Tags: []string{testTag}})
	return &host{id: id, workDir: w.t.TempDir(), fake: fake,
		cli: anka.New(anka.Options{Path: fake.Path(), TempDir: w.t.TempDir()})}
}

// bigHost is what the capacity check sees: room for two template VMs.
func bigHost(context.Context) (HostResources, error) {
	return HostResources{CPUs: 16, MemoryBytes: 64 << 30, DiskBytes: 1 << 40}, nil
}

// handlerRun is a running Handler.
type handlerRun struct {
	*Handler
	stopping chan struct{}
	cancel   context.CancelFunc
	done     chan error
	stopOnce sync.Once
}

// start builds a handler on h with fast test timings, changed by mod, and
// runs it until the test ends (or stop/kill).
func (w *world) start(h *host, name string, mod func(*Options)) *handlerRun {
	w.t.Helper()
	var hd *Handler
	client, err := github.New(context.Background(), github.Options{
		Token: w.gh.Token(), BaseURL: w.gh.URL(),
		OnRateLimit: func(until time.Time) { hd.OnRateLimit(until) },
	})
	if err != nil {
		w.t.Fatal(err)
	}
	reader := streams.NewReaderClient(w.redis.Options(), 8)
	w.t.Cleanup(func() { _ = reader.Close() })
	opts := Options{
		Plugin: config.Plugin{Name: name, Kind: config.KindHandler, Owner: testOwner,
			LeaseSeconds: 3, RegistrationTimeoutSeconds: 10, JobRetryAttempts: 5},
		HostID: h.id, WorkDir: h.workDir, PluginsPath: shippedPlugins,
		Redis: w.rdb, Reader: reader, GitHub: client, Anka: h.cli, HostResources: bigHost,
		Log: zerolog.New(io.MultiWriter(zerolog.NewTestWriter(w.t), &w.logs)).
			Level(logLevel()).With().Str("plugin", name).Logger(),
		Secrets: &w.secrets,
		Timing: Timing{APICheck: 2 * time.Second, ClaimBackoff: 300 * time.Millisecond,
			GatePoll: 100 * time.Millisecond, ClaimWait: time.Second,
			Block: 200 * time.Millisecond, Cleanup: 30 * time.Second},
	}
	if mod != nil {
		mod(&opts)
	}
	hd, err = New(opts)
	if err != nil {
		w.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &handlerRun{Handler: hd, stopping: make(chan struct{}), cancel: cancel,
		done: make(chan error, 1)}
	go func() { r.done <- hd.Run(ctx, r.stopping) }()
	w.t.Cleanup(func() { r.kill(w.t) })
	return r
}

// stop begins a graceful shutdown.
func (r *handlerRun) stop() { r.stopOnce.Do(func() { close(r.stopping) }) }

// kill cancels the handler and waits for Run to return.
func (r *handlerRun) kill(t *testing.T) {
	r.stop()
	r.cancel()
	r.wait(t, 30*time.Second)
}

// wait waits for Run to return.
func (r *handlerRun) wait(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
		r.done <- nil // later waits return at once
	case <-time.After(d):
		t.Fatalf("handler %s did not stop within %v", r.Name(), d)
	}
}

func logLevel() zerolog.Level {
	if os.Getenv("ANKLET_TEST_DEBUG") != "" {
		return zerolog.DebugLevel
	}
	return zerolog.InfoLevel
}
