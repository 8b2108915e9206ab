package receiver

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/engine/metrics"
	"github.com/anklet/anklet/github"
	"github.com/anklet/anklet/streams"
)

// Paths the receiver serves.
const (
	WebhookPath = "/jobs/v1/receiver"
	HealthPath  = "/healthcheck"
)

// Defaults of Options.
const (
	// MaxBodyBytes is the largest webhook body accepted: GitHub caps
	// payloads at 25 MiB.
	MaxBodyBytes = 25 << 20
	// DefaultRedisTimeout bounds the Redis work of one webhook, well inside
	// GitHub's 10 s delivery timeout.
	DefaultRedisTimeout = 3 * time.Second
	// DefaultRedeliverWindow is how far back redelivery looks.
	DefaultRedeliverWindow = 24 * time.Hour
	// DefaultRedeliverInterval is the pause between redelivery passes.
	DefaultRedeliverInterval = 5 * time.Minute
	// DefaultListenAddress keeps the receiver on the loopback interface
	// unless told otherwise.
	DefaultListenAddress = "127.0.0.1"
)

// Options configures New.
type Options struct {
	// Name is the plugin name, written as the `plugin` of every event.
	// Required.
	Name string
	// Owner is the GitHub organisation or user whose jobs are accepted
	// (compared without regard to case). Required.
	Owner string
	// Repo, when set, narrows accepted jobs to that repository of Owner.
	Repo string
	// Queue names the Redis queue; empty means Owner.
	Queue string
	// Host is the host ID written as the `host` of every event. Required.
	Host string

	// ListenAddress and Port are where Run listens. Defaults 127.0.0.1 and
	// 0 (any free port; see Addr).
	ListenAddress string
	Port          int
	// Secret is the webhook HMAC secret. Required: unsigned webhooks are
	// never accepted.
	Secret string

	// Redis holds the queue. Required. Close closes it only when OwnRedis
	// is true.
	Redis    redis.UniversalClient
	OwnRedis bool
	// RedisTimeout bounds the Redis work of one webhook; a webhook that
	// takes longer is answered 503. Default DefaultRedisTimeout.
	RedisTimeout time.Duration
	// DeliveryTTL is the lifetime of a delivery marker. Default
	// engine.DefaultDeliveryTTL (7 days).
	DeliveryTTL time.Duration

	// GitHub holds the credentials and base URL for redelivery. With
	// neither Token nor AppID there is no redelivery. The client is built
	// at the first pass, so a GitHub outage never stops the receiver. Its
	// Logger is replaced by Log; empty Owner and Repo become the
	// receiver's.
	GitHub github.Options
	// HookID is the repository or organisation webhook's id; redelivery
	// needs it unless the App's own webhook is used (App credentials and
	// no token).
	HookID int64
	// SkipRedeliver turns redelivery off.
	SkipRedeliver bool
	// RedeliverWindow is how far back a pass looks. Default
	// DefaultRedeliverWindow.
	RedeliverWindow time.Duration
	// RedeliverInterval is the pause between passes. Default
	// DefaultRedeliverInterval.
	RedeliverInterval time.Duration

	// Metrics receives Webhook, Redelivered and SetStatus calls; nil is
	// fine.
	Metrics *metrics.Plugin
	// Log receives one line per webhook and the redelivery reports. The
	// zero Logger discards.
	Log zerolog.Logger
}

// Receiver is the webhook receiver. It is safe for concurrent use; Run may
// be called again after it returned.
type Receiver struct {
	opts   Options
	store  *engine.Store
	keys   streams.Keys
	secret []byte
	hook   github.HookRef
	// redeliverOff says why redelivery is off; "" when it is on.
	redeliverOff string
	lock         passLock
	log          zerolog.Logger
	mux          *http.ServeMux

	mu        sync.Mutex
	addr      net.Addr
	ready     chan struct{}
	readyOnce sync.Once

	// ghMu guards the GitHub client and the times of the last redelivery
	// passes.
	ghMu        sync.Mutex
	ghc         *github.Client
	lastPass    time.Time
	lastFull    time.Time
	scanOverlap time.Duration // scanOverlap; tests shorten it
}

// New checks opts and builds a Receiver. It does not contact Redis or
// GitHub.
func New(opts Options) (*Receiver, error) {
	var missing []error
	for _, f := range []struct{ name, value string }{
		{"name", opts.Name}, {"owner", opts.Owner}, {"host", opts.Host}, {"secret", opts.Secret},
	} {
		if f.value == "" {
			missing = append(missing, fmt.Errorf("%s is required", f.name))
		}
	}
	if opts.Redis == nil {
		missing = append(missing, errors.New("a redis client is required"))
	}
	if err := errors.Join(missing...); err != nil {
		return nil, fmt.Errorf("new receiver: %w", err)
	}
	setDefaults(&opts)

	store, err := engine.NewStore(opts.Redis, opts.Queue, opts.Host, opts.Name)
	if err != nil {
		return nil, fmt.Errorf("new receiver: %w", err)
	}
	token := make([]byte, 12)
	_, _ = rand.Read(token)

	r := &Receiver{
		opts:   opts,
		store:  store,
		keys:   store.Keys(),
		secret: []byte(opts.Secret),
		log:    opts.Log,
		ready:  make(chan struct{}),

		scanOverlap: scanOverlap,
	}
	r.hook, r.redeliverOff = hookFor(opts)
	r.lock = newPassLock(opts.Redis, r.keys, opts.Host+"/"+hex.EncodeToString(token),
		opts.RedeliverInterval)
	r.mux = http.NewServeMux()
	r.mux.HandleFunc("POST "+WebhookPath, r.serveWebhook)
	r.mux.HandleFunc("GET "+HealthPath, r.serveHealth)
	return r, nil
}

func setDefaults(o *Options) {
	if o.Queue == "" {
		o.Queue = o.Owner
	}
	if o.ListenAddress == "" {
		o.ListenAddress = DefaultListenAddress
	}
	if o.RedisTimeout <= 0 {
		o.RedisTimeout = DefaultRedisTimeout
	}
	if o.DeliveryTTL <= 0 {
		o.DeliveryTTL = engine.DefaultDeliveryTTL
	}
	if o.RedeliverWindow <= 0 {
		o.RedeliverWindow = DefaultRedeliverWindow
	}
	if o.RedeliverInterval <= 0 {
		o.RedeliverInterval = DefaultRedeliverInterval
	}
	o.GitHub.Logger = o.Log
	if o.GitHub.Owner == "" {
		o.GitHub.Owner, o.GitHub.Repo = o.Owner, o.Repo
	}
}

// Name is the plugin name.
func (r *Receiver) Name() string { return r.opts.Name }

// Handler serves the receiver's two routes; Run serves it on its own
// listener. Other paths answer 404, other methods 405.
func (r *Receiver) Handler() http.Handler { return r.mux }

// Ready is closed once Run first listens.
func (r *Receiver) Ready() <-chan struct{} { return r.ready }

// Addr is the address Run listens on, or nil before it listens.
func (r *Receiver) Addr() net.Addr {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.addr
}

// Close releases the Redis client when the receiver owns it
// (Options.OwnRedis). Call it after Run returned for good.
func (r *Receiver) Close() error {
	if !r.opts.OwnRedis {
		return nil
	}
	if err := r.opts.Redis.Close(); err != nil {
		return fmt.Errorf("close receiver %s: %w", r.opts.Name, err)
	}
	return nil
}

// listenAddr is host:port of Options.
func (r *Receiver) listenAddr() string {
	return net.JoinHostPort(r.opts.ListenAddress, strconv.Itoa(r.opts.Port))
}
