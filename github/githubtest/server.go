package githubtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a fake GitHub. Its methods are safe for concurrent use.
type Server struct {
	tb   testing.TB
	cfg  config
	http *httptest.Server
	pat  string

	ctx       context.Context // ends at Close
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once

	mu           sync.Mutex
	rng          *rand.Rand
	accounts     map[string]*account
	repos        map[string]*repo
	repoOrder    []*repo
	runs         map[int64]*run
	jobs         map[int64]*job
	jobOrder     []*job
	runners      map[int64]*runner
	waiting      []*runner // connected idle runners, in connection order
	regTokens    map[string]regToken
	instTokens   map[string]instToken
	pats         map[string]bool
	labelIDs     map[string]int64
	hook         hookConfig
	deliveries   []*delivery
	calls        map[string]int
	nextAccount  int64
	nextRepo     int64
	nextRun      int64
	nextJob      int64
	nextRunner   int64
	nextGroup    int64
	nextDelivery int64

	faults faults
	out    outbox
}

// NewServer starts a fake GitHub on 127.0.0.1 and closes it when the test
// ends.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	cfg := config{seed: 1, hookKind: HookOrg, hookID: 424242, webhookTimeout: 10 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}

	s := &Server{
		tb:           tb,
		cfg:          cfg,
		rng:          rand.New(rand.NewPCG(uint64(cfg.seed), 0x67697468756274)),
		accounts:     make(map[string]*account),
		repos:        make(map[string]*repo),
		runs:         make(map[int64]*run),
		jobs:         make(map[int64]*job),
		runners:      make(map[int64]*runner),
		regTokens:    make(map[string]regToken),
		instTokens:   make(map[string]instToken),
		pats:         make(map[string]bool),
		labelIDs:     make(map[string]int64),
		calls:        make(map[string]int),
		nextAccount:  800000000,
		nextRepo:     900000000,
		nextRun:      15000000000,
		nextJob:      30000000000,
		nextGroup:    1,
		nextDelivery: 90000000000,
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.faults.rng = rand.New(rand.NewPCG(uint64(cfg.seed), 0x6661756c7473))
	s.faults.buckets = make(map[string]*bucket)
	s.out.init()
	s.pat = "ghp_" + s.randomString(36)
	s.pats[s.pat] = true
	for _, t := range cfg.tokens {
		s.pats[t] = true
	}
	s.hook = hookConfig{kind: cfg.hookKind, id: cfg.hookID}

	mux := http.NewServeMux()
	s.routes(mux)
	s.http = httptest.NewServer(mux)
	s.wg.Add(1)
	go s.deliverLoop()
	tb.Cleanup(s.Close)
	return s
}

// URL is the server's root, "http://127.0.0.1:PORT", with no trailing slash:
// the web URL runners register against and the host of the control
// endpoints.
func (s *Server) URL() string { return s.http.URL }

// APIURL is the REST root as GitHub Enterprise Server spells it,
// "http://127.0.0.1:PORT/api/v3/". The same routes also answer at URL()+"/".
func (s *Server) APIURL() string { return s.http.URL + "/api/v3/" }

// Token is a personal access token the server accepts.
func (s *Server) Token() string { return s.pat }

// HookID is the webhook's id, as in X-GitHub-Hook-ID and the delivery
// endpoints.
func (s *Server) HookID() int64 { return s.cfg.hookID }

// Close stops the server: pending webhooks are dropped, running jobs stop
// where they are, and blocked control calls return. It is called by the
// test's cleanup and may be called earlier; later calls do nothing.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.cancel()
		s.out.wake()
		s.http.Close()
		s.wg.Wait()
	})
}

// logf notes what the server did, when WithLogf asked for it.
func (s *Server) logf(format string, args ...any) {
	if s.cfg.logf != nil {
		s.cfg.logf("githubtest: "+format, args...)
	}
}

// randomString returns n seeded random characters from [a-zA-Z0-9].
func (s *Server) randomString(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b strings.Builder
	for range n {
		b.WriteByte(alphabet[s.rng.IntN(len(alphabet))])
	}
	return b.String()
}

// guid returns a seeded random version-4 UUID, like X-GitHub-Delivery.
func (s *Server) guid() string {
	a, b := s.rng.Uint64(), s.rng.Uint64()
	a = a&^(0xf<<12) | 0x4<<12
	b = b&^(0x3<<62) | 0x2<<62
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x",
		a>>32, (a>>16)&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}
