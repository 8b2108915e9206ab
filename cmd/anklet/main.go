// Command anklet runs GitHub Actions jobs on ephemeral Anka macOS VMs: the
// handler and receiver plugins of its configuration, or the metrics
// aggregator.
//
//	anklet [-c FILE] [-check] [-version]
//	anklet <subcommand> [arguments]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/engine/daemon"
	_ "github.com/anklet/anklet/engine/handler" // the github handler plugin
	"github.com/anklet/anklet/engine/reconcile"
	_ "github.com/anklet/anklet/github/receiver" // the github_receiver plugin
)

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// subcommand is an `anklet <name> ...` command; it gets the arguments after
// its name and returns the exit code.
type subcommand func(args, environ []string, stdout, stderr io.Writer) int

// subcommands are the commands other than the daemon itself.
var subcommands = map[string]subcommand{}

func main() {
	reconcile.Register()
	os.Exit(run(os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

func run(args, environ []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, ok := subcommands[args[0]]
		if !ok {
			fmt.Fprintf(stderr, "anklet: unknown subcommand %q%s\n", args[0], available())
			return exitUsage
		}
		return cmd(args[1:], environ, stdout, stderr)
	}

	flags := flag.NewFlagSet("anklet", flag.ContinueOnError)
	flags.SetOutput(stderr)
	path := flags.String("c", "", "config `file` (default "+config.DefaultPath()+")")
	check := flags.Bool("check", false, "validate the configuration, print every problem, exit")
	showVersion := flags.Bool("version", false, "print the version and exit")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0 // -h asked for the usage, which was printed
		}
		return exitUsage
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "anklet: unexpected argument %q\n", flags.Arg(0))
		return exitUsage
	}
	if *showVersion {
		fmt.Fprintln(stdout, version)
		return exitOK
	}
	if *path == "" {
		*path = config.DefaultPath()
	}

	level := lookup(environ, daemon.EnvLogLevel)
	cfg, err := config.Load(*path, environ)
	if _, _, levelErr := daemon.ParseLevel(level); levelErr != nil {
		err = joinProblems(err, levelErr)
	}
	if code, done := report(cfg, err, *check, stdout, stderr); done {
		return code
	}
	return daemon.Run(context.Background(), cfg, daemon.Options{
		Name:     "anklet",
		Version:  version,
		LogLevel: level,
		Stdout:   stdout,
	})
}

// report prints the outcome of loading the configuration when it failed or
// when only a check was asked for; done tells the caller to exit with code.
func report(cfg *config.Config, err error, check bool, stdout, stderr io.Writer) (
	code int, done bool) {
	if err != nil {
		var problems config.Problems
		if !errors.As(err, &problems) {
			problems = config.Problems{err.Error()}
		}
		for _, p := range problems {
			fmt.Fprintln(stderr, "config:", p)
		}
		return exitUsage, true
	}
	if !check {
		return exitOK, false
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(stdout, "warning:", w)
	}
	fmt.Fprintln(stdout, "config ok")
	return exitOK, true
}

// joinProblems adds a problem found outside the config package to err's
// lines.
func joinProblems(err, more error) error {
	var problems config.Problems
	if err != nil && !errors.As(err, &problems) {
		return err // the file itself could not be read; that comes first
	}
	return append(problems, more.Error())
}

func available() string {
	if len(subcommands) == 0 {
		return ""
	}
	names := make([]string, 0, len(subcommands))
	for n := range subcommands {
		names = append(names, n)
	}
	sort.Strings(names)
	return " (available: " + strings.Join(names, ", ") + ")"
}

// lookup returns the value of an environment variable in environ.
func lookup(environ []string, name string) string {
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v
		}
	}
	return ""
}
