package faults

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// chaosProxy stands between GitHub's webhook sender and the receiver. It
// answers each delivery 202 at once, then forwards it after a random delay
// up to maxDelay, so deliveries reach the receiver out of order. A share
// dupRate of deliveries is forwarded twice, concurrently, each copy with
// its own delay: half of the second copies keep the delivery's GUID (a
// redelivery), the other half get a new one (GitHub sending the same event
// again). A forward the receiver refuses is retried, like a redelivery.
type chaosProxy struct {
	target   string
	maxDelay time.Duration
	dupRate  float64
	srv      *httptest.Server
	client   *http.Client

	mu  sync.Mutex
	rng *rand.Rand

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	received, forwarded, duplicated, refused, lost atomic.Int64
}

func newChaosProxy(t *testing.T, target string, maxDelay time.Duration,
	dupRate float64) *chaosProxy {
	p := &chaosProxy{target: target, maxDelay: maxDelay, dupRate: dupRate,
		rng:    rand.New(rand.NewPCG(7, 11)),
		client: &http.Client{Timeout: 15 * time.Second}}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.close)
	return p
}

// URL is where GitHub should send webhooks.
func (p *chaosProxy) URL() string { return p.srv.URL }

// close stops taking deliveries and waits for the forwards in flight.
func (p *chaosProxy) close() {
	p.srv.Close()
	p.cancel()
	p.wg.Wait()
}

func (p *chaosProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.received.Add(1)
	h := r.Header.Clone()
	copies := []http.Header{h}

	p.mu.Lock()
	if p.rng.Float64() < p.dupRate {
		dup := h.Clone()
		if p.rng.IntN(2) == 0 {
			dup.Set("X-GitHub-Delivery", fmt.Sprintf("%016x-dup", p.rng.Uint64()))
		}
		copies = append(copies, dup)
		p.duplicated.Add(1)
	}
	delays := make([]time.Duration, len(copies))
	for i := range delays {
		delays[i] = time.Duration(p.rng.Int64N(int64(p.maxDelay) + 1))
	}
	p.mu.Unlock()

	for i, hdr := range copies {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.forward(hdr, body, delays[i])
		}()
	}
	w.WriteHeader(http.StatusAccepted)
}

// forward sends one copy after delay, retrying a refusal up to five times.
func (p *chaosProxy) forward(h http.Header, body []byte, delay time.Duration) {
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-p.ctx.Done():
		return
	}
	for try := range 5 {
		if try > 0 {
			p.refused.Add(1)
			t.Reset(time.Duration(try) * 200 * time.Millisecond)
			select {
			case <-t.C:
			case <-p.ctx.Done():
				return
			}
		}
		req, err := http.NewRequestWithContext(p.ctx, http.MethodPost, p.target,
			bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header = h.Clone()
		resp, err := p.client.Do(req)
		if err != nil {
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			p.forwarded.Add(1)
			return
		}
	}
	p.lost.Add(1)
}
