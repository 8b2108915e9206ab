package engine

import (
	"context"
	"errors"
	"testing"
)

func TestDeadLetter(t *testing.T) {
	ctx := context.Background()

	t.Run("live entry fails the job", func(t *testing.T) {
		st, b := setup(t)
		mustEnqueue(t, st, 1)
		msg := b.deliver(t, "c1")
		if _, err := st.Claim(ctx, 1, msg.ID, "c1"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Transition(ctx, 1, Expect{}, Event{Type: EventPulling}); err != nil {
			t.Fatal(err)
		}

		j, err := st.DeadLetter(ctx, 1, msg.ID, "max_deliveries", 11)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != EventFailed || j.Version != 4 || j.Reason != "max_deliveries" ||
			j.WorkID != "" {
			t.Errorf("dead-lettered job = %+v", j)
		}
		if p := b.pending(t); len(p) != 0 {
			t.Errorf("pending = %v, want the entry acked", p)
		}
		dead, err := b.rdb.XRange(ctx, b.keys.Dead(), "-", "+").Result()
		if err != nil || len(dead) != 1 || dead[0].Values["job_id"] != "1" ||
			dead[0].Values["work_id"] != msg.ID || dead[0].Values["deliveries"] != "11" ||
			dead[0].Values["reason"] != "max_deliveries" {
			t.Errorf("dead stream = %v, err %v", dead, err)
		}
		hist, _ := st.History(ctx, 1)
		if last := hist[len(hist)-1]; last.Type != EventFailed ||
			last.Attr(FieldReason) != "max_deliveries" {
			t.Errorf("last event = %+v, want failed with the reason", last)
		}
	})

	t.Run("terminal job is only acked", func(t *testing.T) {
		st, b := setup(t)
		// The first entry is still undelivered when the job is requeued, so
		// it outlives the job: it becomes pending only after the job ended.
		mustEnqueue(t, st, 1)
		if _, err := st.Requeue(ctx, 1, Expect{}, "pull_busy", false); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Transition(ctx, 1, Expect{}, Event{Type: EventCanceled}); err != nil {
			t.Fatal(err)
		}
		msg := b.deliver(t, "c1")
		if p := b.pending(t); len(p) != 1 || p[0] != msg.ID {
			t.Fatalf("pending = %v, want %s", p, msg.ID)
		}
		events := b.xlen(t, b.keys.Events())

		j, err := st.DeadLetter(ctx, 1, msg.ID, "max_deliveries", 11)
		if err != nil || j.State != EventCanceled {
			t.Fatalf("job %+v, err %v; want it canceled still", j, err)
		}
		if p := b.pending(t); len(p) != 0 {
			t.Errorf("pending = %v, want the entry acked", p)
		}
		if n := b.xlen(t, b.keys.Dead()); n != 0 {
			t.Errorf("dead stream holds %d entries, want none", n)
		}
		if n := b.xlen(t, b.keys.Events()); n != events {
			t.Errorf("event log grew from %d to %d", events, n)
		}
	})

	t.Run("stale entry leaves the job alone", func(t *testing.T) {
		st, b := setup(t)
		mustEnqueue(t, st, 1)
		old := b.deliver(t, "c1")
		if _, err := st.Requeue(ctx, 1, Expect{}, "pull_busy", false); err != nil {
			t.Fatal(err)
		}
		j, err := st.DeadLetter(ctx, 1, old.ID, "max_deliveries", 11)
		if err != nil || j.State != EventRequeued || j.Version != 2 {
			t.Errorf("job %+v, err %v; want it requeued at version 2", j, err)
		}
		if n := b.xlen(t, b.keys.Dead()); n != 1 {
			t.Errorf("dead stream holds %d entries, want 1", n)
		}
	})

	t.Run("unknown job", func(t *testing.T) {
		st, b := setup(t)
		_, err := st.DeadLetter(ctx, 3, "1-0", "max_deliveries", 11)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
		if n := b.xlen(t, b.keys.Dead()); n != 1 {
			t.Errorf("dead stream holds %d entries, want 1", n)
		}
	})
}
