package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/github/receiver"
)

// probeTimeout bounds the health check; container runtimes usually allow
// it 3 s.
const probeTimeout = 2 * time.Second

// probe is -healthcheck: it asks the first configured receiver for its
// health and returns 0 when it answered 200, 1 otherwise (a container
// runtime's "unhealthy"; 2 is reserved there, so configuration problems
// give 1 as well).
func probe(cfg *config.Config, problems config.Problems, stdout, stderr io.Writer) int {
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, "config:", p)
		}
		return 1
	}
	for _, p := range cfg.Plugins {
		if !p.IsReceiver() {
			continue
		}
		addr := receiver.ProbeAddr(p.ListenAddress, p.Port)
		if err := receiver.Probe(context.Background(), addr, probeTimeout); err != nil {
			fmt.Fprintln(stderr, "unhealthy:", err)
			return 1
		}
		fmt.Fprintln(stdout, "healthy:", addr)
		return 0
	}
	fmt.Fprintln(stderr, "unhealthy: no receiver is configured")
	return 1
}
