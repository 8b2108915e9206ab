// Command anka is a fake of the Anka CLI for tests. It keeps its world in the
// directory named by ANKATEST_STATE and answers `anka -j …` with the same
// one-line JSON envelope as the real CLI. See package ankatest for what it
// models and what it leaves out.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/anklet/anklet/anka/ankatest/internal/state"
)

// reply is the outcome of one command. A zero exitCode with an empty status
// means OK.
type reply struct {
	body     any
	message  string
	code     int
	exitCode int
	failed   bool
}

func ok(body any, message string) reply { return reply{body: body, message: message} }

func fail(code int, format string, a ...any) reply {
	return reply{code: code, message: fmt.Sprintf(format, a...), exitCode: 1, failed: true}
}

func notFound(id string) reply { return fail(codeNotFound, "%s: not found", id) }

const (
	codeNotFound = 3
	codeExists   = 18
)

// env is what a command handler works with.
type env struct {
	store  state.Store
	self   string
	delay  time.Duration
	stdout io.Writer
	stderr io.Writer
}

type handler func(e *env, args []string) reply

var handlers = map[string]handler{
	"version":             cmdVersion,
	"license":             cmdLicense,
	"list":                cmdList,
	"show":                cmdShow,
	"clone":               cmdClone,
	"start":               cmdStart,
	"stop":                cmdStop,
	"delete":              cmdDelete,
	"cp":                  cmdCopy,
	"mount":               cmdMount,
	"pull":                cmdPull,
	"registry list":       cmdRegistryList,
	"registry list-repos": cmdRegistryRepos,
	"registry show":       cmdRegistryShow,
	"registry pull":       cmdRegistryPull,
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "__runner":
			return runnerMain(args[1:])
		case "__config":
			return configMain(args[1:])
		}
	}

	argv := args
	machine := os.Getenv("ANKA_MACHINE_READABLE") != ""
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-j", "--machine-readable":
			machine = true
		case "--debug":
		case "--version":
			fmt.Println("Anka Build Enterpriseplus version 3.9.0 (build 215)")
			return 0
		case "-h", "--help":
			usage()
			return 0
		default:
			fmt.Fprintf(os.Stderr, "anka: no such option: %s\n", args[0])
			return 2
		}
		args = args[1:]
	}
	if len(args) == 0 {
		usage()
		return 0
	}

	dir := os.Getenv(state.EnvVar)
	if dir == "" {
		fmt.Fprintf(os.Stderr, "anka (fake): %s is not set\n", state.EnvVar)
		return 2
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "anka (fake): %v\n", err)
		return 2
	}
	e := &env{store: state.Store{Dir: dir}, self: self, stdout: os.Stdout, stderr: os.Stderr}
	return dispatch(e, argv, args, machine)
}

// dispatch runs the command args; argv is the whole command line, recorded
// in the call log.
func dispatch(e *env, argv, args []string, machine bool) int {
	op, rest := opOf(args)
	if err := e.store.Record(callOf(argv, args)); err != nil {
		fmt.Fprintf(e.stderr, "anka (fake): %v\n", err)
		return 2
	}

	var fault *state.Fault
	err := e.store.Update(func(st *state.State) error {
		fault = st.TakeFault(op)
		e.delay = st.Delays[op]
		return nil
	})
	if err != nil {
		fmt.Fprintf(e.stderr, "anka (fake): %v\n", err)
		return 2
	}
	if !strings.HasSuffix(op, "pull") && e.delay > 0 {
		time.Sleep(e.delay)
	}

	if op == "run" {
		if fault != nil {
			return runFault(e, fault)
		}
		return cmdRun(e, rest, machine)
	}
	if fault != nil {
		return emitFault(e, fault, machine)
	}
	h, known := handlers[op]
	if !known {
		return emit(e, fail(1, "%s: no such command", op), machine)
	}
	return emit(e, h(e, rest), machine)
}

// opOf names the operation for faults and delays ("clone", "registry pull")
// and returns the arguments that follow it. Registry options before the
// subcommand stay in rest.
func opOf(args []string) (string, []string) {
	switch args[0] {
	case "license":
		return "license", args[1:]
	case "registry":
		_, pos, err := parse(args[1:], registryFlags, true)
		if err != nil || len(pos) == 0 {
			return "registry", args[1:]
		}
		return "registry " + pos[0], args[1:]
	}
	return args[0], args[1:]
}

func usage() {
	fmt.Println("usage: anka [-j] <command> [options]   (ankatest fake)")
}
