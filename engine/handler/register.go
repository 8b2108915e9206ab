package handler

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/anka"
	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/engine/daemon"
	"github.com/anklet/anklet/engine/metrics"
	"github.com/anklet/anklet/github"
	"github.com/anklet/anklet/streams"
)

// clientTimeout bounds building the GitHub client, which looks up the App
// installation when installation_id is not set.
const clientTimeout = 30 * time.Second

func init() { daemon.Register(config.KindHandler, factory) }

// factory builds a Handler from its config entry: its Redis clients (one
// for commands, one for blocking reads), its GitHub client and the anka CLI.
func factory(env daemon.Env, p config.Plugin) (daemon.Plugin, error) {
	cfg := env.Config
	rdb := p.Database.Client()
	reader := readerClient(p, rdb)

	var h *Handler
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	gh, err := github.New(ctx, github.Options{
		Token: p.Token, AppID: p.AppID, PrivateKey: p.PrivateKey,
		InstallationID: p.InstallationID, Owner: p.Owner, Repo: p.Repo, BaseURL: p.BaseURL,
		Logger:      env.Log,
		OnRateLimit: func(until time.Time) { h.OnRateLimit(until) },
	})
	if err != nil {
		return nil, err
	}

	var m *metrics.Plugin
	if env.Metrics != nil {
		m = env.Metrics.Plugin(p.Name, p.Kind, p.Owner, p.Repo)
	}
	h, err = New(Options{
		Plugin: p, HostID: env.HostID, WorkDir: cfg.WorkDir, PluginsPath: cfg.PluginsPath,
		DrainFile: cfg.DrainFile, SkipResourceChecks: cfg.GlobalSkipCPUAndMemoryResourceChecks,
		Redis: rdb, Reader: reader, GitHub: gh,
		Anka:    anka.New(anka.Options{Path: p.AnkaPath, Logger: env.Log}),
		Log:     env.Log,
		Metrics: m,
		Secrets: env.Secrets,
	})
	if err != nil {
		return nil, fmt.Errorf("build handler: %w", err)
	}
	return h, nil
}

// readerClient returns a client for the blocking reads: one claim read and
// up to two event tails per VM slot. A cluster client gets a second client
// of its own.
func readerClient(p config.Plugin, rdb redis.UniversalClient) redis.UniversalClient {
	readers := 1 + 2*max(p.MaxRunningVMs, DefaultMaxRunningVMs)
	if c, ok := rdb.(*redis.Client); ok {
		return streams.NewReaderClient(c.Options(), readers)
	}
	return p.Database.Client()
}
