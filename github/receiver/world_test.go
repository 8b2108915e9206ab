package receiver

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github"
	"github.com/anklet/anklet/github/githubtest"
)

// world is a receiver wired to a fake GitHub whose org webhook points at it.
type world struct {
	*bundle
	gh *githubtest.Server
}

func setupWorld(t *testing.T, mod func(*Options)) *world {
	t.Helper()
	gh := githubtest.NewServer(t)
	b := setup(t, func(o *Options) {
		o.GitHub = github.Options{Token: gh.Token(), BaseURL: gh.APIURL()}
		o.HookID = gh.HookID()
		o.SkipRedeliver = false
		if mod != nil {
			mod(o)
		}
	})
	gh.AddRepo(testOwner, testRepo)
	gh.SetWebhook(b.url, testSecret, githubtest.JSON)
	return &world{bundle: b, gh: gh}
}

// queue queues a job of ours in acme/app (or of another owner), dropping
// its queued webhook when drop is set.
func (w *world) queue(t *testing.T, owner string, labels []string, drop bool) githubtest.Job {
	t.Helper()
	if drop {
		w.gh.DropWebhooks(1)
	}
	j := w.gh.QueueJob(githubtest.JobSpec{Owner: owner, Repo: testRepo, Labels: labels})
	w.flush(t)
	return j
}

// cancel cancels job j's run, dropping its completed webhook when drop is
// set.
func (w *world) cancel(t *testing.T, j githubtest.Job, drop bool) {
	t.Helper()
	if drop {
		w.gh.DropWebhooks(1)
	}
	if err := w.gh.CancelRun(j.RunID); err != nil {
		t.Fatal(err)
	}
	w.flush(t)
}

func (w *world) flush(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.gh.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
}

// delivery finds the first delivery of job id with action.
func (w *world) delivery(t *testing.T, id int64, action string) githubtest.Delivery {
	t.Helper()
	for _, d := range w.gh.Deliveries() {
		var p struct {
			WorkflowJob struct {
				ID int64 `json:"id"`
			} `json:"workflow_job"`
		}
		if d.Action == action && json.Unmarshal(d.Payload, &p) == nil && p.WorkflowJob.ID == id {
			return d
		}
	}
	t.Fatalf("no %s delivery of job %d", action, id)
	return githubtest.Delivery{}
}

func (w *world) state(t *testing.T, id int64) engine.EventType {
	t.Helper()
	j, err := w.r.store.Get(context.Background(), id)
	if errors.Is(err, engine.ErrNotFound) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return j.State
}
