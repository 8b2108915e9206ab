package faults

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github/githubtest"
	"github.com/anklet/anklet/streams"
	"github.com/anklet/anklet/streams/redistest"
)

// The organisation, repository and template every scenario uses.
const (
	owner    = "acme"
	repo     = "app"
	template = "c0847bc9-5d2d-4dbc-ba6a-240f7ff08032"
	tag      = "v1"
	secret   = "faults-webhook-secret"
)

// labels are the runs-on labels of every job: the test template and tag.
var labels = []string{"self-hosted", "anka-template:" + template, "anka-template-tag:" + tag}

// world is one scenario's Redis, fake GitHub, receiver and hosts.
type world struct {
	t     *testing.T
	dir   string
	opts  worldOptions
	redis *redistest.Server
	rdb   *redis.Client
	gh    *githubtest.Server
	store *engine.Store // reads job projections
	keys  streams.Keys

	receiver     *proc
	receiverPort int
	receiverLog  string
	hosts        []*host
}

// worldOptions shape a world; zero values take the defaults noted.
type worldOptions struct {
	// aof is the Redis fsync policy: "always", "everysec", or "" for none.
	aof string
	// reconcile is reconcile_interval_seconds of every host; default 1.
	reconcile int
	// redeliver is the receiver's redeliver_interval_seconds; default 2.
	redeliver int
}

func newWorld(t *testing.T, opts worldOptions) *world {
	t.Helper()
	if opts.reconcile == 0 {
		opts.reconcile = 1
	}
	if opts.redeliver == 0 {
		opts.redeliver = 2
	}
	w := &world{t: t, dir: t.TempDir(), opts: opts, keys: streams.MustKeysFor(owner)}
	var ropts []redistest.Option
	if opts.aof != "" {
		ropts = append(ropts, redistest.WithAOF(opts.aof))
	}
	w.redis = redistest.Start(t, ropts...)
	w.rdb = w.redis.Client()
	w.gh = githubtest.NewServer(t)
	store, err := engine.NewStore(w.rdb, owner, "faults", "faults")
	if err != nil {
		t.Fatal(err)
	}
	w.store = store
	w.receiverPort = freePort(t)
	w.gh.SetWebhook(w.receiverURL(), secret, githubtest.JSON)
	t.Cleanup(func() {
		w.checkRaces()
		if t.Failed() {
			w.dumpLogs()
		}
	})
	return w
}

// receiverURL is where the receiver takes webhooks.
func (w *world) receiverURL() string {
	return fmt.Sprintf("http://127.0.0.1:%d/jobs/v1/receiver", w.receiverPort)
}

// startReceiver runs anklet-receiver and waits until it answers.
func (w *world) startReceiver() {
	w.t.Helper()
	dir := filepath.Join(w.dir, "receiver")
	mkdir(w.t, dir)
	cfg := fmt.Sprintf(`work_dir: %[1]s
host_id: receiver
log:
  file_dir: %[1]s
metrics:
  port: %[2]d
global_database_url: 127.0.0.1
global_database_port: %[3]d
plugins:
  - name: receiver
    plugin: github_receiver
    owner: %[4]s
    listen_address: 127.0.0.1
    port: %[5]d
    secret: %[6]s
    hook_id: %[7]d
    token: %[8]s
    base_url: %[9]s
    redeliver_interval_seconds: %[10]d
`, dir, freePort(w.t), w.redis.Port(), owner, w.receiverPort, secret, w.gh.HookID(),
		w.gh.Token(), w.gh.URL(), w.opts.redeliver)
	path := filepath.Join(dir, "config.yml")
	writeFile(w.t, path, cfg)
	w.receiverLog = filepath.Join(dir, "anklet-receiver.log")
	w.receiver = startProc(w.t, "receiver", receiverBin, path, filepath.Join(dir, "out.txt"),
		processEnv(dir))
	health := fmt.Sprintf("http://127.0.0.1:%d/healthcheck", w.receiverPort)
	waitFor(w.t, 30*time.Second, "the receiver to answer", func() bool {
		resp, err := http.Get(health)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// queue queues a job on GitHub, which sends its queued webhook.
func (w *world) queue(d time.Duration) int64 {
	w.t.Helper()
	j := w.gh.QueueJob(githubtest.JobSpec{Owner: owner, Repo: repo, Labels: labels,
		Duration: d})
	if j.ID == 0 {
		w.t.Fatal("queueing a job failed")
	}
	return j.ID
}

// job is job id's projection in Redis; the zero Job when unknown or
// unreadable.
func (w *world) job(id int64) engine.Job {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	j, _ := w.store.Get(ctx, id)
	return j
}

// processEnv is the environment of a process whose home is dir.
func processEnv(dir string) []string {
	return []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "LOG_LEVEL=info"}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
