package receiver

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/anklet/anklet/engine"
)

// TestConcurrentCopies posts one signed webhook 50 times at once: exactly
// one copy is stored, the others are answered duplicate, and the queue
// holds one work entry and one event.
func TestConcurrentCopies(t *testing.T) {
	b := setup(t, nil)
	const copies = 50
	ev, guid := job(actionQueued, 301), uuid.NewString()

	var wg sync.WaitGroup
	start := make(chan struct{})
	words := make(chan string, copies)
	for range copies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := b.sender.Send(context.Background(), "workflow_job", guid, ev.Payload())
			if err != nil || res.StatusCode != http.StatusOK {
				t.Errorf("copy: %d %q %v", res.StatusCode, res.Body, err)
				return
			}
			words <- word(res.Body)
		}()
	}
	close(start)
	wg.Wait()
	close(words)

	count := map[string]int{}
	for w := range words {
		count[w]++
	}
	if count[ResultStored] != 1 || count[ResultDuplicate] != copies-1 {
		t.Errorf("answers %v, want 1 stored and %d duplicate", count, copies-1)
	}
	if n := b.xlen(t, b.keys.Jobs()); n != 1 {
		t.Errorf("work entries = %d, want 1", n)
	}
	if evs := b.events(t, 301); len(evs) != 1 || evs[0].Type != engine.EventQueued {
		t.Errorf("events = %+v, want one queued", evs)
	}
}

// TestSameJobNewDelivery sends the same queued job under a new GUID, as
// GitHub does when a job is re-reported: the job is still queued once.
func TestSameJobNewDelivery(t *testing.T) {
	b := setup(t, nil)
	b.mustSend(t, job(actionQueued, 302), "", ResultStored)
	b.mustSend(t, job(actionQueued, 302), "", ResultDuplicate)
	b.mustSend(t, job(actionInProgress, 302), "", ResultStored)
	b.mustSend(t, job(actionInProgress, 302), "", ResultDuplicate)
	b.mustSend(t, job(actionQueued, 302), "", ResultStale)

	if n := len(b.workEntries(t, 302)); n != 1 {
		t.Errorf("work entries = %d, want 1", n)
	}
	if n := len(b.events(t, 302)); n != 2 {
		t.Errorf("events = %d, want 2 (queued, in-progress)", n)
	}
}
