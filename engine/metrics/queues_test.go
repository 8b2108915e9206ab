package metrics

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestQueueFailuresAreReportedNotServed(t *testing.T) {
	r := NewRegistry(Options{Instance: "q", QueueTimeout: 100 * time.Millisecond})
	r.readHost = func(context.Context) HostStats { return fakeHost }

	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	r.WatchQueue("ok", func(context.Context) (int64, int64, int64, error) { return 1, 2, 3, nil })
	r.WatchQueue("broken", func(context.Context) (int64, int64, int64, error) {
		return 0, 0, 0, errors.New("redis down")
	})
	r.WatchQueue("stuck", func(context.Context) (int64, int64, int64, error) {
		<-stuck // ignores its context: the scrape must not wait for it
		return 9, 9, 9, nil
	})

	qs := r.Snapshot(context.Background()).Queues
	want := []QueueSnapshot{
		{Queue: "broken", Error: "redis down"},
		{Queue: "ok", Length: 1, Pending: 2, Lag: 3},
		{Queue: "stuck", Error: context.DeadlineExceeded.Error()},
	}
	if len(qs) != len(want) {
		t.Fatalf("queues %+v, want %+v", qs, want)
	}
	for i := range want {
		if qs[i] != want[i] {
			t.Errorf("queue %d: %+v, want %+v", i, qs[i], want[i])
		}
	}

	fams := scrape(t, r)
	if n := len(fams["anklet_queue_length"].GetMetric()); n != 1 {
		t.Errorf("anklet_queue_length has %d series, want only the readable queue", n)
	}
	if got := value(t, fams, "anklet_queue_lag", map[string]string{"queue": "ok"}); got != 3 {
		t.Errorf("lag %v, want 3", got)
	}
}
