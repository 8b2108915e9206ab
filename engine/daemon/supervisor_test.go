package daemon

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine/enginetest"
)

// fakePlugin runs a function as its Run.
type fakePlugin struct {
	name string
	run  func(ctx context.Context, stopping <-chan struct{}) error
}

func (p *fakePlugin) Name() string { return p.name }
func (p *fakePlugin) Run(ctx context.Context, stopping <-chan struct{}) error {
	return p.run(ctx, stopping)
}

// syncBuffer collects log lines from many goroutines.
type syncBuffer = enginetest.Buffer

// runSupervisor starts sup.Run and returns a channel with its result.
func runSupervisor(ctx context.Context, sup *Supervisor, stopping <-chan struct{}) <-chan error {
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx, stopping) }()
	return done
}

func waitResult(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("Supervisor.Run did not return")
		return nil
	}
}

func receive(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// failing returns a plugin that reports each start on starts and then fails
// with fail, until shutdown begins; then it returns nil.
func failing(name string, starts chan<- struct{}, fail func() error) *fakePlugin {
	return &fakePlugin{name: name, run: func(_ context.Context, stopping <-chan struct{}) error {
		select {
		case starts <- struct{}{}:
			return fail()
		case <-stopping:
			return nil
		}
	}}
}

func TestSupervisorRestartsFailingPluginsWhileNeighbourRuns(t *testing.T) {
	logs := &syncBuffer{}
	log := zerolog.New(logs)
	errStarts, panicStarts := make(chan struct{}), make(chan struct{})
	var neighbourStarts atomic.Int32
	neighbourUp := make(chan struct{})

	sup := &Supervisor{Backoff: func(int) time.Duration { return 0 }}
	sup.Add(failing("erring", errStarts, func() error {
		return errors.New("claim job 7: connection refused")
	}), log.With().Str("pluginName", "erring").Logger())
	sup.Add(failing("panicking", panicStarts, func() error { panic("boom") }),
		log.With().Str("pluginName", "panicking").Logger())
	sup.Add(&fakePlugin{name: "neighbour", run: func(_ context.Context, s <-chan struct{}) error {
		if neighbourStarts.Add(1) == 1 {
			close(neighbourUp)
		}
		<-s
		return nil
	}}, log)

	stopping := make(chan struct{})
	done := runSupervisor(context.Background(), sup, stopping)
	receive(t, neighbourUp, "the neighbour to start")
	for i := range 3 {
		receive(t, errStarts, "erring start")
		receive(t, panicStarts, "panicking start")
		if n := neighbourStarts.Load(); n != 1 {
			t.Fatalf("after %d failures the neighbour started %d times", i+1, n)
		}
	}
	close(stopping)
	if err := waitResult(t, done); err != nil {
		t.Fatalf("Run = %v, want nil after a clean shutdown", err)
	}

	out := logs.String()
	for _, want := range []string{
		`"level":"error","pluginName":"erring","error":"claim job 7: connection refused"`,
		`"level":"error","pluginName":"panicking","panic":"boom","stack":"goroutine `,
		`plugin failed; restarting"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "supervisor_test.go") {
		t.Errorf("panic stack does not show where it happened:\n%s", out)
	}
}

func TestSupervisorNilReturn(t *testing.T) {
	logs := &syncBuffer{}
	var starts atomic.Int32
	third := make(chan struct{})
	sup := &Supervisor{Backoff: func(int) time.Duration { return 0 }}
	sup.Add(&fakePlugin{name: "p", run: func(_ context.Context, s <-chan struct{}) error {
		if starts.Add(1) < 3 {
			return nil // before shutdown: a failure
		}
		close(third)
		<-s
		return nil // after shutdown: done
	}}, zerolog.New(logs))

	stopping := make(chan struct{})
	done := runSupervisor(context.Background(), sup, stopping)
	receive(t, third, "the third start")
	close(stopping)
	if err := waitResult(t, done); err != nil {
		t.Fatal(err)
	}
	if n := starts.Load(); n != 3 {
		t.Fatalf("started %d times, want 3", n)
	}
	if !strings.Contains(logs.String(), `"reason":"returned before shutdown"`) {
		t.Errorf("early return not logged:\n%s", logs.String())
	}
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestSupervisorBackoffGrowsAndResetsAfterAHealthyRun(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	var mu sync.Mutex
	var waits []int
	sup := &Supervisor{HealthyAfter: time.Minute, now: clock.Now,
		Backoff: func(n int) time.Duration {
			mu.Lock()
			defer mu.Unlock()
			waits = append(waits, n)
			return 0
		}}
	var run atomic.Int32
	fifth := make(chan struct{})
	sup.Add(&fakePlugin{name: "p", run: func(_ context.Context, s <-chan struct{}) error {
		switch run.Add(1) {
		case 3:
			clock.Advance(time.Minute) // this run was healthy before it failed
		case 5:
			close(fifth)
			<-s
			return nil
		}
		return errors.New("fail")
	}}, zerolog.Nop())

	stopping := make(chan struct{})
	done := runSupervisor(context.Background(), sup, stopping)
	receive(t, fifth, "the fifth start")
	close(stopping)
	if err := waitResult(t, done); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := waits; len(got) != 4 || got[0] != 1 || got[1] != 2 || got[2] != 1 || got[3] != 2 {
		t.Fatalf("restart numbers %v, want [1 2 1 2]", got)
	}
}

func TestSupervisorCancelDuringBackoff(t *testing.T) {
	backingOff := make(chan struct{})
	var once sync.Once
	sup := &Supervisor{Backoff: func(int) time.Duration {
		once.Do(func() { close(backingOff) })
		return time.Hour
	}}
	sup.Add(&fakePlugin{name: "p", run: func(context.Context, <-chan struct{}) error {
		return errors.New("fail")
	}}, zerolog.Nop())

	ctx, cancel := context.WithCancelCause(context.Background())
	done := runSupervisor(ctx, sup, make(chan struct{}))
	receive(t, backingOff, "the backoff")
	cancel(ErrSecondSignal)
	if err := waitResult(t, done); !errors.Is(err, ErrSecondSignal) {
		t.Fatalf("Run = %v, want the cancellation cause", err)
	}
}

// A plugin that fails during shutdown is restarted so it can hand its work
// back; the next run sees stopping closed and returns nil.
func TestSupervisorRestartsAFailureDuringShutdown(t *testing.T) {
	var starts atomic.Int32
	stopping := make(chan struct{})
	close(stopping)
	sup := &Supervisor{Backoff: func(int) time.Duration { return 0 }}
	sup.Add(&fakePlugin{name: "p", run: func(context.Context, <-chan struct{}) error {
		if starts.Add(1) == 1 {
			return errors.New("hand back failed")
		}
		return nil
	}}, zerolog.Nop())
	if err := waitResult(t, runSupervisor(context.Background(), sup, stopping)); err != nil {
		t.Fatal(err)
	}
	if n := starts.Load(); n != 2 {
		t.Fatalf("started %d times, want 2", n)
	}
}

func TestExponentialBackoff(t *testing.T) {
	b := ExponentialBackoff(time.Second, time.Minute)
	want := map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second,
		6: 32 * time.Second, 7: time.Minute, 100: time.Minute}
	for n, d := range want {
		if got := b(n); got != d {
			t.Errorf("backoff(%d) = %v, want %v", n, got, d)
		}
	}
}
