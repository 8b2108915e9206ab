package engine

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
)

func TestEnqueueStoresJobOnce(t *testing.T) {
	st, b := setup(t)
	ctx := context.Background()

	j, created, err := st.Enqueue(ctx, spec(7))
	if err != nil || !created {
		t.Fatalf("first enqueue: created %v, err %v", created, err)
	}
	if j.State != EventQueued || j.Version != 1 || j.Attempt != 0 || j.RunID != 1007 ||
		j.Owner != "acme" || !slices.Equal(j.Labels, []string{"macos", "arm"}) ||
		j.Host != "host-a" || j.Plugin != "handler" || j.WorkID == "" {
		t.Errorf("enqueued job = %+v", j)
	}
	work, err := b.rdb.XRange(ctx, b.keys.Jobs(), "-", "+").Result()
	if err != nil || len(work) != 1 || work[0].ID != j.WorkID ||
		work[0].Values["job_id"] != "7" || work[0].Values["attempt"] != "0" ||
		work[0].Values["at"] == nil {
		t.Fatalf("work stream = %v, err %v; want one entry %s for job 7", work, err, j.WorkID)
	}

	again, created, err := st.Enqueue(ctx, spec(7))
	if err != nil || created {
		t.Fatalf("second enqueue: created %v, err %v", created, err)
	}
	if !jobsEqual(again, j) {
		t.Errorf("second enqueue returned %+v, want %+v", again, j)
	}
	if n := b.xlen(t, b.keys.Jobs()); n != 1 {
		t.Errorf("work stream holds %d entries, want 1", n)
	}
	if n := b.xlen(t, b.keys.Events()); n != 1 {
		t.Errorf("event log holds %d entries, want 1", n)
	}
}

func TestEnqueueConcurrentlyCreatesOneEntry(t *testing.T) {
	st, b := setup(t)
	const writers = 50

	var wg sync.WaitGroup
	results := make(chan bool, writers)
	errs := make(chan error, writers)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, created, err := st.Enqueue(context.Background(), spec(9))
			if err != nil {
				errs <- err
				return
			}
			results <- created
		}()
	}
	wg.Wait()
	close(results)
	close(errs)

	for err := range errs {
		t.Errorf("enqueue: %v", err)
	}
	createdCount := 0
	for c := range results {
		if c {
			createdCount++
		}
	}
	if createdCount != 1 {
		t.Errorf("%d enqueues created the job, want 1", createdCount)
	}
	if n := b.xlen(t, b.keys.Jobs()); n != 1 {
		t.Errorf("work stream holds %d entries, want 1", n)
	}
	if n := b.xlen(t, b.keys.Events()); n != 1 {
		t.Errorf("event log holds %d entries, want 1", n)
	}
}

func TestEnqueueRefusesBadSpecs(t *testing.T) {
	st, b := setup(t)
	bad := []JobSpec{{ID: 0}, {ID: -3}, {ID: 1, Labels: []string{"a,b"}}, {ID: 1,
		Labels: []string{""}}}
	for _, s := range bad {
		if _, _, err := st.Enqueue(context.Background(), s); err == nil {
			t.Errorf("Enqueue(%+v) succeeded", s)
		}
	}
	if n := b.xlen(t, b.keys.Events()); n != 0 {
		t.Errorf("refused enqueues wrote %d events", n)
	}
}

func TestGetUnknownJob(t *testing.T) {
	st, _ := setup(t)
	if _, err := st.Get(context.Background(), 404); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(404) err = %v, want ErrNotFound", err)
	}
}
