package receiver

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/anklet/anklet/engine"
)

// TestRedisDown answers 503 while Redis is down, well inside GitHub's 10 s,
// stores nothing, and stores the same delivery once Redis is back.
func TestRedisDown(t *testing.T) {
	b := setup(t, nil)
	guid := uuid.NewString()
	b.srv.Kill()

	start := time.Now()
	res := b.send(t, job(actionQueued, 501), guid)
	took := time.Since(start)
	t.Logf("answer with redis down after %v: %d %q", took, res.StatusCode, res.Body)
	if res.StatusCode != http.StatusServiceUnavailable || word(res.Body) != ResultUnavailable {
		t.Errorf("got %d %q, want 503 unavailable", res.StatusCode, res.Body)
	}
	if took > 10*time.Second {
		t.Errorf("answer took %v, past GitHub's 10 s delivery timeout", took)
	}

	b.restart(t)
	if _, err := b.r.store.Get(context.Background(), 501); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("job after a 503: %v, want not found", err)
	}
	b.mustSend(t, job(actionQueued, 501), guid, ResultStored)
	if n := b.xlen(t, b.keys.Jobs()); n != 1 {
		t.Errorf("work entries = %d, want 1", n)
	}
}

// sent is one webhook of TestRedisKilledMidIngest and its answer.
type sent struct {
	id     int64
	guid   string
	status int
}

// TestRedisKilledMidIngest kills Redis (AOF, fsync always) while eight
// senders post new jobs. Every job answered 2xx must survive the restart;
// every job, whatever its answer, must be stored whole or not at all; and
// sending everything again stores each job exactly once.
func TestRedisKilledMidIngest(t *testing.T) {
	b := setup(t, nil)
	var next atomic.Int64
	next.Store(600)
	var ok atomic.Int64
	killed := make(chan struct{})
	var mu sync.Mutex
	var log []sent

	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				s := sent{id: next.Add(1), guid: uuid.NewString()}
				res, err := b.sender.Send(context.Background(), "workflow_job", s.guid,
					job(actionQueued, s.id).Payload())
				if err != nil {
					t.Errorf("send job %d: %v", s.id, err)
					return
				}
				s.status = res.StatusCode
				mu.Lock()
				log = append(log, s)
				mu.Unlock()
				if s.status == http.StatusOK {
					ok.Add(1)
					continue
				}
				select {
				case <-killed:
					return // answered after the kill: this sender is done
				default:
					t.Errorf("job %d answered %d before the kill", s.id, s.status)
					return
				}
			}
		}()
	}
	waitFor(t, 20*time.Second, "30 stored webhooks", func() bool { return ok.Load() >= 30 })
	b.srv.Kill()
	close(killed)
	wg.Wait()
	b.restart(t)

	stored := 0
	for _, s := range log {
		whole := b.wholeOrNothing(t, s)
		if s.status == http.StatusOK && !whole {
			t.Errorf("job %d was answered 200 but is not stored", s.id)
		}
		if whole {
			stored++
		}
	}
	t.Logf("%d webhooks sent, %d answered 200, %d stored", len(log), ok.Load(), stored)

	for _, s := range log {
		res := b.send(t, job(actionQueued, s.id), s.guid)
		if w := word(res.Body); res.StatusCode != http.StatusOK ||
			(w != ResultStored && w != ResultDuplicate) {
			t.Errorf("resend of job %d: %d %q", s.id, res.StatusCode, res.Body)
		}
	}
	if n := b.xlen(t, b.keys.Jobs()); n != int64(len(log)) {
		t.Errorf("work entries = %d, want one per job (%d)", n, len(log))
	}
	if n := b.xlen(t, b.keys.Events()); n != int64(len(log)) {
		t.Errorf("events = %d, want one per job (%d)", n, len(log))
	}
}

// wholeOrNothing checks that job s is either fully stored (projection,
// one work entry, one event, delivery marker) or not at all, and says
// which.
func (b *bundle) wholeOrNothing(t *testing.T, s sent) bool {
	t.Helper()
	ctx := context.Background()
	_, err := b.r.store.Get(ctx, s.id)
	hasJob := err == nil
	if err != nil && !errors.Is(err, engine.ErrNotFound) {
		t.Fatal(err)
	}
	marker, err := b.rdb.Exists(ctx, b.keys.Delivery(s.guid)).Result()
	if err != nil {
		t.Fatal(err)
	}
	work, events := len(b.workEntries(t, s.id)), len(b.events(t, s.id))

	if hasJob && (marker != 1 || work != 1 || events != 1) ||
		!hasJob && (marker != 0 || work != 0 || events != 0) {
		t.Errorf("job %d half written: projection %v, marker %d, work entries %d, events %d",
			s.id, hasJob, marker, work, events)
	}
	return hasJob
}

// restart starts Redis again and waits until the receiver's client, whose
// pool backs off after failed dials, reaches it.
func (b *bundle) restart(t *testing.T) {
	t.Helper()
	b.srv.Restart()
	waitFor(t, 10*time.Second, "the receiver's redis client to reconnect", func() bool {
		return b.r.opts.Redis.Ping(context.Background()).Err() == nil
	})
}
