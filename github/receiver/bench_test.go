package receiver

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/streams/redistest"
)

// BenchmarkReceiver posts distinct queued webhooks of ours over real HTTP
// on 127.0.0.1, from 1 and 16 concurrent senders, to a queue that is empty
// or already holds 100,000 queued jobs. It reports webhooks per second and
// the median and 99th-percentile latency of one delivery as the sender sees
// it (signing included). Redis runs with the AOF on and fsync every
// second, as in docker-compose.yml. The figures should not depend on the
// depth: a webhook costs one script whose work does not grow with the
// queue.
func BenchmarkReceiver(b *testing.B) {
	for _, depth := range []int{0, 100_000} {
		for _, senders := range []int{1, 16} {
			b.Run(fmt.Sprintf("depth=%d/senders=%d", depth, senders), func(b *testing.B) {
				benchReceiver(b, depth, senders)
			})
		}
	}
}

func benchReceiver(b *testing.B, depth, senders int) {
	bb := setup(b, func(o *Options) { o.Log = zerolog.Nop() }, redistest.WithAOF("everysec"))
	fillQueue(b, bb, depth)
	payloads := make([][]byte, b.N)
	guids := make([]string, b.N)
	for i := range b.N {
		payloads[i] = job(actionQueued, int64(10_000_000+i)).Payload()
		guids[i] = uuid.NewString()
	}
	sender := *bb.sender
	sender.Client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: senders, MaxConnsPerHost: senders}}
	lat := make([]time.Duration, b.N)
	var next atomic.Int64

	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < b.N; i = int(next.Add(1) - 1) {
				t0 := time.Now()
				res, err := sender.Send(context.Background(), "workflow_job", guids[i], payloads[i])
				lat[i] = time.Since(t0)
				if err != nil || res.StatusCode != http.StatusOK {
					b.Errorf("webhook %d: %d %q %v", i, res.StatusCode, res.Body, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "webhooks/s")
	b.ReportMetric(ms(lat[b.N/2]), "p50_ms")
	b.ReportMetric(ms(lat[b.N*99/100]), "p99_ms")
	b.ReportMetric(0, "ns/op")
	if n := bb.xlen(b, bb.keys.Jobs()); n != int64(depth+b.N) {
		b.Errorf("work entries = %d, want %d", n, depth+b.N)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fillQueue stores n queued jobs the way Enqueue does (projection, work
// entry, event), through pipelines of a thousand jobs.
func fillQueue(b *testing.B, bb *bundle, n int) {
	ctx := context.Background()
	at := time.Now().UTC().Format(engine.TimeLayout)
	for first := 0; first < n; first += 1000 {
		pipe := bb.rdb.Pipeline()
		for id := first + 1; id <= min(first+1000, n); id++ {
			sid := strconv.Itoa(id)
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: bb.keys.Jobs(), Values: []any{
				"job_id", sid, "attempt", "0", "at", at}})
			pipe.HSet(ctx, bb.keys.Job(int64(id)), "state", "queued", "version", "1",
				"run_id", sid, "attempt", "0", "host", "fill", "plugin", "fill",
				"queued_at", at, "updated_at", at, "owner", testOwner, "repo", testRepo,
				"labels", testTemplate)
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: bb.keys.Events(), Values: []any{
				"type", "queued", "job_id", sid, "run_id", sid, "attempt", "0", "at", at,
				"host", "fill", "plugin", "fill", "version", "1"}})
		}
		if _, err := pipe.Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
