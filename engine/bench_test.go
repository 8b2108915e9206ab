package engine

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/streams"
	"github.com/anklet/anklet/streams/redistest"
)

// benchAOF runs fn against Redis without persistence and with an fsync per
// write, the durable setting.
func benchAOF(b *testing.B, fn func(b *testing.B, opts ...redistest.Option)) {
	b.Run("aof=no", func(b *testing.B) { fn(b) })
	b.Run("aof=always", func(b *testing.B) { fn(b, redistest.WithAOF("always")) })
}

func benchSetup(b *testing.B, opts ...redistest.Option) (*Store, *bundle, *redistest.RoundTrips) {
	st, bb := setup(b, opts...)
	rt := redistest.CountRoundTrips(bb.rdb)
	return st, bb, rt
}

// prefill enqueues jobs first..first+n-1 with the timer stopped.
func prefill(b *testing.B, st *Store, rt *redistest.RoundTrips, first, n int) {
	b.StopTimer()
	defer b.StartTimer()
	before := rt.Load()
	for id := first; id < first+n; id++ {
		mustEnqueue(b, st, int64(id))
	}
	rt.Add(before - rt.Load())
}

const chunk = 500

func BenchmarkEnqueue(b *testing.B) {
	benchAOF(b, func(b *testing.B, opts ...redistest.Option) {
		st, _, rt := benchSetup(b, opts...)
		ctx := context.Background()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, _, err := st.Enqueue(ctx, spec(int64(i+1))); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		b.ReportMetric(float64(rt.Load())/float64(b.N), "roundtrips/op")
	})
}

// BenchmarkTransition times one Transition (queued → in-progress) per job.
func BenchmarkTransition(b *testing.B) {
	benchAOF(b, func(b *testing.B, opts ...redistest.Option) {
		st, _, rt := benchSetup(b, opts...)
		ctx := context.Background()
		ev := Event{Type: EventInProgress, Attrs: map[string]string{FieldRunner: "r"}}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if i%chunk == 0 {
				prefill(b, st, rt, i+1, min(chunk, b.N-i))
			}
			if _, err := st.Transition(ctx, int64(i+1), Expect{Version: 1}, ev); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		b.ReportMetric(float64(rt.Load())/float64(b.N), "roundtrips/op")
	})
}

// BenchmarkCycle times a handler's whole path for one job: read the work
// entry (XREADGROUP), claim, pulling, vm-started, registered, in-progress,
// completed (which acknowledges the entry).
func BenchmarkCycle(b *testing.B) {
	benchAOF(b, func(b *testing.B, opts ...redistest.Option) {
		st, bb, rt := benchSetup(b, opts...)
		ctx := context.Background()
		steps := []EventType{EventPulling, EventVMStarted, EventRegistered, EventInProgress,
			EventCompleted}
		var reads int64
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if i%chunk == 0 {
				prefill(b, st, rt, i+1, min(chunk, b.N-i))
			}
			res, err := bb.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: streams.Group,
				Consumer: "bench", Streams: []string{bb.keys.Jobs(), ">"}, Count: 1,
				Block: -1}).Result()
			if err != nil {
				b.Fatal(err)
			}
			reads++
			msg := res[0].Messages[0]
			id := int64(i + 1)
			if _, err := st.Claim(ctx, id, msg.ID, "bench"); err != nil {
				b.Fatal(err)
			}
			for _, typ := range steps {
				if _, err := st.Transition(ctx, id, Expect{}, Event{Type: typ}); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.StopTimer()
		if p := bb.pending(b); len(p) != 0 {
			b.Fatalf("%d entries still pending", len(p))
		}
		transitions := float64(b.N * (1 + len(steps)))
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
		b.ReportMetric(transitions/b.Elapsed().Seconds(), "transitions/s")
		b.ReportMetric(float64(rt.Load())/float64(b.N), "roundtrips/job")
		b.ReportMetric(float64(rt.Load()-reads)/transitions, "roundtrips/transition")
	})
}
