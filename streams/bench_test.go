package streams

import (
	"context"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/streams/redistest"
)

// benchSetup starts a server without persistence and a client that counts
// round trips.
func benchSetup(b *testing.B) (*redis.Client, *redistest.RoundTrips) {
	b.Helper()
	s := redistest.Start(b)
	rdb := s.Client()
	rt := redistest.CountRoundTrips(rdb)
	if err := EnsureGroup(context.Background(), rdb, testStream, testGroup, "0"); err != nil {
		b.Fatal(err)
	}
	return rdb, rt
}

// report adds ops/s and round trips per op, counting from start.
func report(b *testing.B, rt *redistest.RoundTrips, start int64) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(rt.Load()-start)/float64(b.N), "roundtrips/op")
}

var benchFields = map[string]string{
	"job_id": "1234567890", "attempt": "0", "at": "2026-01-02T03:04:05.123456789Z",
}

func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	rdb, rt := benchSetup(b)
	start := rt.Load()
	b.ResetTimer()
	for range b.N {
		if _, err := Append(ctx, rdb, testStream, benchFields, AppendOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	report(b, rt, start)
}

// BenchmarkAppendSafeTrim appends with Trim and MaxLen 1000 to a stream
// whose group has read everything, so from the 1001st append on each call
// also trims one entry: the steady state of a work queue with a floor.
func BenchmarkAppendSafeTrim(b *testing.B) {
	ctx := context.Background()
	rdb, rt := benchSetup(b)
	if err := rdb.XGroupSetID(ctx, testStream, testGroup, strconv.Itoa(1<<62)+"-0").Err(); err != nil {
		b.Fatal(err)
	}
	opts := AppendOptions{Trim: true, MaxLen: 1000}
	if _, err := Append(ctx, rdb, testStream, benchFields, opts); err != nil { // load script
		b.Fatal(err)
	}
	start := rt.Load()
	b.ResetTimer()
	for range b.N {
		if _, err := Append(ctx, rdb, testStream, benchFields, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	report(b, rt, start)
	if n := rdb.XLen(ctx, testStream).Val(); b.N > 1000 && n != 1000 {
		b.Fatalf("stream holds %d entries, want 1000", n)
	}
}

// BenchmarkReadAck reads one entry and acknowledges it, per op.
func BenchmarkReadAck(b *testing.B) {
	ctx := context.Background()
	rdb, rt := benchSetup(b)
	pipe := rdb.Pipeline()
	for i := range b.N {
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: testStream, Values: Entry{Fields: benchFields}.Args()})
		if i%1000 == 999 {
			if _, err := pipe.Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		b.Fatal(err)
	}
	c := NewConsumer(rdb, testStream, testGroup, "bench", ConsumerOptions{})
	start := rt.Load()
	b.ResetTimer()
	for range b.N {
		msgs, err := c.Read(ctx, 1)
		if err != nil || len(msgs) != 1 {
			b.Fatalf("Read = %v, %v", msgs, err)
		}
		if _, err := c.Ack(ctx, msgs[0].ID); err != nil {
			b.Fatal(err)
		}
	}
	report(b, rt, start)
}

func BenchmarkExtend(b *testing.B) {
	ctx := context.Background()
	rdb, rt := benchSetup(b)
	id, err := Append(ctx, rdb, testStream, benchFields, AppendOptions{})
	if err != nil {
		b.Fatal(err)
	}
	c := NewConsumer(rdb, testStream, testGroup, "bench", ConsumerOptions{})
	if _, err := c.Read(ctx, 1); err != nil {
		b.Fatal(err)
	}
	if err := c.Extend(ctx, id); err != nil { // load script
		b.Fatal(err)
	}
	start := rt.Load()
	b.ResetTimer()
	for range b.N {
		if err := c.Extend(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	report(b, rt, start)
}
