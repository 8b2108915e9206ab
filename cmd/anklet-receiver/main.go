// Command anklet-receiver runs only Anklet's webhook receiver plugins. It
// reads its configuration from ANKLET_RECEIVER_* and ANKLET_GLOBAL_*
// environment variables (the container image's way), or from a config file
// with -c, in which case entries of other kinds are skipped.
//
//	anklet-receiver [-c FILE] [-check] [-healthcheck] [-version]
//
// -healthcheck asks the configured receiver for its health (GET
// /healthcheck on 127.0.0.1, or on its listen_address when that names one
// interface) and exits 0 when it answers 200 and 1 otherwise, as container
// health checks expect.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/engine/daemon"
	// Registers the github_receiver plugin kind with the daemon.
	_ "github.com/anklet/anklet/github/receiver"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

func run(args, environ []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("anklet-receiver", flag.ContinueOnError)
	flags.SetOutput(stderr)
	path := flags.String("c", "", "config `file` (default: configuration from the environment)")
	check := flags.Bool("check", false, "validate the configuration, print every problem, exit")
	showVersion := flags.Bool("version", false, "print the version and exit")
	healthcheck := flags.Bool("healthcheck", false,
		"exit 0 if the running receiver answers GET /healthcheck with 200, else 1")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0 // -h asked for the usage, which was printed
		}
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "anklet-receiver: unexpected argument %q\n", flags.Arg(0))
		return 2
	}
	if *showVersion {
		fmt.Fprintln(stdout, version)
		return 0
	}

	var cfg *config.Config
	var err error
	if *path != "" {
		cfg, err = config.Load(*path, environ)
	} else {
		cfg, err = config.FromReceiverEnv(environ)
	}
	if err == nil {
		err = receiversOnly(cfg)
	}
	level := lookup(environ, daemon.EnvLogLevel)
	var problems config.Problems
	if err != nil && !errors.As(err, &problems) {
		problems = config.Problems{err.Error()}
	}
	if _, _, levelErr := daemon.ParseLevel(level); levelErr != nil {
		problems = append(problems, levelErr.Error())
	}
	if *healthcheck {
		return probe(cfg, problems, stdout, stderr)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, "config:", p)
		}
		return 2
	}
	if *check {
		for _, w := range cfg.Warnings {
			fmt.Fprintln(stdout, "warning:", w)
		}
		fmt.Fprintln(stdout, "config ok")
		return 0
	}

	return daemon.Run(context.Background(), cfg, daemon.Options{
		Name:     "anklet-receiver",
		Version:  version,
		LogLevel: level,
		Stdout:   stdout,
		Kinds:    []string{config.KindReceiver},
	})
}

// receiversOnly checks that the configuration gives this binary something
// to run.
func receiversOnly(cfg *config.Config) error {
	if cfg.Metrics.Aggregator {
		return errors.New("metrics.aggregator is true: run the aggregator with anklet")
	}
	for _, p := range cfg.Plugins {
		if p.IsReceiver() {
			return nil
		}
	}
	return fmt.Errorf("no %s plugin is configured", config.KindReceiver)
}

func lookup(environ []string, name string) string {
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v
		}
	}
	return ""
}
