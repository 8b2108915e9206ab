//go:build anklet_testhook

// This file is compiled only into the binary the shutdown tests build (with
// -tags anklet_testhook). It adds a service that is slow to stop: it keeps
// running after the first signal until its context is cancelled, so a test
// can check that a second signal ends the process promptly.

package main

import (
	"context"

	"github.com/anklet/anklet/engine/daemon"
)

func init() {
	daemon.RegisterService("testhook-slow-stop", func(env daemon.Env) (daemon.Plugin, error) {
		return slowStop{env: env}, nil
	})
}

type slowStop struct{ env daemon.Env }

func (slowStop) Name() string { return "testhook-slow-stop" }

func (s slowStop) Run(ctx context.Context, stopping <-chan struct{}) error {
	<-stopping
	s.env.Log.Info().Msg("testhook: stopping slowly")
	<-ctx.Done()
	return nil
}
