package daemon

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/engine/metrics"
	"github.com/anklet/anklet/streams"
)

// metricsServices are the metrics plugins every daemon runs: the HTTP
// endpoint and the snapshot publisher, or, in aggregator mode, the endpoint
// serving every instance's snapshot from Redis.
func metricsServices(env Env, aggregate bool) []Plugin {
	return []Plugin{&metricsService{env: env, aggregate: aggregate}}
}

// metricsService serves /metrics until the first signal. Serving stops with
// the first signal so that it never holds up a shutdown.
type metricsService struct {
	env       Env
	aggregate bool
}

func (m *metricsService) Name() string { return "metrics" }

func (m *metricsService) Run(ctx context.Context, stopping <-chan struct{}) error {
	cfg := m.env.Config
	ctx, cancel := UntilStopping(ctx, stopping)
	defer cancel()

	rdb := cfg.Metrics.Database.Client()
	defer rdb.Close()

	var src metrics.Source = m.env.Metrics
	publisher := make(chan error, 1)
	if m.aggregate {
		src = metrics.NewAggregator(rdb, metrics.AggregatorOptions{
			CacheTTL: time.Duration(cfg.Metrics.SleepInterval) * time.Second,
			Logger:   m.env.Log,
		})
		publisher <- nil
	} else {
		closeQueues := watchQueues(m.env.Metrics, cfg.Plugins)
		defer closeQueues()
		p := metrics.NewPublisher(m.env.Metrics, rdb, metrics.PublisherOptions{Logger: m.env.Log})
		go func() { publisher <- p.Run(ctx) }()
	}

	srv := metrics.NewServer(src, metrics.ServerOptions{
		ListenAddress: cfg.Metrics.ListenAddress,
		Port:          cfg.Metrics.Port,
		Logger:        m.env.Log,
	})
	if err := srv.Start(ctx); err != nil {
		cancel()
		<-publisher
		return err
	}
	<-ctx.Done()

	shutdown, done := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer done()
	err := srv.Shutdown(shutdown)
	<-publisher
	return err
}

// watchQueues makes the registry report the work stream of every queue the
// configured plugins use, each read through its plugin's database. The
// returned func closes the clients.
func watchQueues(reg *metrics.Registry, plugins []config.Plugin) func() {
	var clients []redis.UniversalClient
	seen := map[string]bool{}
	for _, p := range plugins {
		keys, err := streams.KeysFor(p.Queue())
		if err != nil || seen[keys.Queue()] {
			continue
		}
		seen[keys.Queue()] = true
		rdb := p.Database.Client()
		clients = append(clients, rdb)
		stream := keys.Jobs()
		reg.WatchQueue(keys.Queue(), func(ctx context.Context) (int64, int64, int64, error) {
			return queueStats(ctx, rdb, stream)
		})
	}
	return func() {
		for _, c := range clients {
			_ = c.Close()
		}
	}
}

// queueStats reads a work stream's length, pending entries and lag. Until a
// handler has created the consumer group (a receiver may run first), every
// entry is unread: the lag is the length.
func queueStats(ctx context.Context, rdb redis.UniversalClient, stream string) (
	length, pending, lag int64, err error) {
	st, err := streams.GroupInfo(ctx, rdb, stream, streams.Group)
	if errors.Is(err, streams.ErrNoGroup) {
		n, err := rdb.XLen(ctx, stream).Result()
		return n, 0, n, err
	}
	return st.Length, st.Pending, st.Lag, err
}
