package reconcile

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/anklet/anklet/anka"
	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/engine/daemon"
	"github.com/anklet/anklet/engine/handler"
	"github.com/anklet/anklet/github"
)

// ServiceName is the name the reconcilers run under in the daemon.
const ServiceName = "reconcile"

// Register makes every daemon of this binary run the reconcilers next to
// its plugins. The anklet binary calls it; the receiver binary does not, as
// it has no VMs to look after.
func Register() {
	daemon.RegisterService(ServiceName, func(env daemon.Env) (daemon.Plugin, error) {
		return &service{env: env}, nil
	})
}

// service runs, until the first signal: one orphan-VM reconciler for the
// host (when a handler is configured), and per handler plugin an
// orphan-runner and a lost-webhook reconciler.
type service struct {
	env daemon.Env
}

func (s *service) Name() string { return ServiceName }

func (s *service) Run(ctx context.Context, stopping <-chan struct{}) error {
	ctx, cancel := daemon.UntilStopping(ctx, stopping)
	defer cancel()

	loops, closeAll, err := s.build(ctx)
	if err != nil {
		return err
	}
	defer closeAll()

	var wg sync.WaitGroup
	for _, run := range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = run(ctx)
		}()
	}
	<-ctx.Done() // with no handler configured there is nothing to run
	wg.Wait()
	return nil
}

// build makes the reconcilers of the configured handler plugins. The
// returned func releases their Redis clients.
func (s *service) build(ctx context.Context) (
	loops []func(context.Context) error, closeAll func(), err error) {
	cfg := s.env.Config
	var closers []func() error
	closeAll = func() {
		for _, c := range closers {
			_ = c()
		}
	}
	defer func() {
		if err != nil {
			closeAll()
		}
	}()

	vmsDone := false
	for _, p := range cfg.Plugins {
		if p.Kind != config.KindHandler {
			continue
		}
		log := s.env.Log.With().Str("pluginName", p.Name).Logger()
		mp := s.env.Metrics.Plugin(p.Name, p.Kind, p.Owner, p.Repo)
		owned := func(vm string) (bool, error) { return handler.VMOwned(cfg.WorkDir, vm) }

		interval := time.Duration(cfg.ReconcileIntervalSeconds) * time.Second
		if interval <= 0 {
			interval = config.DefaultReconcileInterval * time.Second
		}
		if !vmsDone {
			vmsDone = true
			cli := anka.New(anka.Options{Path: p.AnkaPath, Logger: log})
			vms, err := NewOrphanVMs(VMOptions{
				Anka: cli, Owned: owned, Logger: log, Interval: interval,
				OnPass: func(r Report) { mp.Reconciled("orphan_vm", r.Removed) },
			})
			if err != nil {
				return nil, nil, fmt.Errorf("plugin %q: %w", p.Name, err)
			}
			loops = append(loops, vms.Run)
		}

		gh, err := github.New(ctx, github.Options{
			Token: p.Token, AppID: p.AppID, InstallationID: p.InstallationID,
			PrivateKey: p.PrivateKey, Owner: p.Owner, Repo: p.Repo, BaseURL: p.BaseURL,
			Logger: log,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("plugin %q: github client: %w", p.Name, err)
		}
		rdb := p.Database.Client()
		closers = append(closers, rdb.Close)

		turn, err := NewTurn(rdb, p.Queue(), "orphan-runners:"+p.Owner+"/"+p.Repo, cfg.HostID)
		if err != nil {
			return nil, nil, fmt.Errorf("plugin %q: %w", p.Name, err)
		}
		runners, err := NewOrphanRunners(RunnerOptions{
			GitHub: gh, Scope: github.Scope{Owner: p.Owner, Repo: p.Repo},
			Owned: owned, Turn: turn, Logger: log, Interval: interval * 5 / 2,
			OnPass: func(r Report) { mp.Reconciled("orphan_runner", r.Removed) },
		})
		if err != nil {
			return nil, nil, fmt.Errorf("plugin %q: %w", p.Name, err)
		}
		webhooks, err := NewLostWebhooks(WebhookOptions{
			GitHub: gh, Redis: rdb, Queue: p.Queue(), Host: cfg.HostID, Plugin: p.Name,
			Owner: p.Owner, Repo: p.Repo, Logger: log, Interval: interval * 5 / 2,
			// A run younger than an interval is left to the next pass:
			// its webhooks may still be on their way.
			MinRunAge: min(DefaultMinRunAge, interval),
			OnPass: func(r Report) {
				mp.Reconciled("lost_webhook", r.Enqueued)
				mp.Reconciled("lost_completion", r.Finished)
			},
		})
		if err != nil {
			return nil, nil, fmt.Errorf("plugin %q: %w", p.Name, err)
		}
		loops = append(loops, runners.Run, webhooks.Run)
	}
	return loops, closeAll, nil
}
