package faults

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/anklet/anklet/anka/ankatest"
	"github.com/anklet/anklet/streams"
)

// host is one simulated Mac host: a fake Anka CLI with its own state, and
// an anklet process (restartable) with its own host_id, work_dir, logs and
// config.
type host struct {
	w    *world
	id   string
	dir  string
	fake *ankatest.Host
	opts hostOptions
	proc *proc // the current process; nil before the first start
}

// hostOptions shape a host; zero values take the defaults noted.
type hostOptions struct {
	// handlers is how many github handler plugins the process runs;
	// default 1.
	handlers int
	// registryOnly puts the template in the registry instead of on the
	// host, so the first job pulls it.
	registryOnly bool
	// lease is lease_seconds; default 3.
	lease int
}

// templateCPU and templateRAM keep two VMs inside any CI machine's real
// CPU and memory, which the handler's capacity check reads.
const (
	templateCPU = 1
	templateRAM = 512 << 20
)

// registrationTimeout is every handler's registration_timeout_seconds: a
// fake runner connects within a second, and nothing here waits on it.
const registrationTimeout = 20

// addHost makes a host; start runs its anklet.
func (w *world) addHost(id string, opts hostOptions) *host {
	w.t.Helper()
	if opts.handlers == 0 {
		opts.handlers = 1
	}
	if opts.lease == 0 {
		opts.lease = 3
	}
	// The fake enforces no VM limit of its own (4), so that a handler
	// exceeding max_running_vms (2) shows in its record.
	fake := ankatest.NewHost(w.t, ankatest.HostOptions{MaxRunning: 4})
	tmpl := ankatest.Template{UUID: template, Tags: []string{tag}, CPU: templateCPU,
		RAM: templateRAM}
	if opts.registryOnly {
		fake.AddRegistryTemplate(tmpl)
	} else {
		fake.AddTemplate(tmpl)
	}
	h := &host{w: w, id: id, dir: filepath.Join(w.dir, id), fake: fake, opts: opts}
	mkdir(w.t, filepath.Join(h.dir, "logs"))
	writeFile(w.t, h.configPath(), h.config())
	w.hosts = append(w.hosts, h)
	return h
}

func (h *host) configPath() string { return filepath.Join(h.dir, "config.yml") }
func (h *host) logPath() string    { return filepath.Join(h.dir, "logs", "anklet.log") }

// config is the host's anklet configuration.
func (h *host) config() string {
	w := h.w
	var b strings.Builder
	fmt.Fprintf(&b, `work_dir: %[1]s/work
plugins_path: %[2]s
host_id: %[3]s
drain_file: %[1]s/drain
shutdown_timeout_seconds: 10
reconcile_interval_seconds: %[4]d
log:
  file_dir: %[1]s/logs
metrics:
  port: %[5]d
global_database_url: 127.0.0.1
global_database_port: %[6]d
plugins:
`, h.dir, filepath.Join(repoRoot, "testdata", "plugins"), h.id, w.opts.reconcile,
		freePort(w.t), w.redis.Port())
	for i := range h.opts.handlers {
		fmt.Fprintf(&b, `  - name: handler-%d
    plugin: github
    owner: %s
    token: %s
    base_url: %s
    anka_path: %s
    lease_seconds: %d
    registration_timeout_seconds: %d
    max_running_vms: 2
`, i+1, owner, w.gh.Token(), w.gh.URL(), h.fake.Path(), h.opts.lease, registrationTimeout)
	}
	return b.String()
}

// consumers are the work-stream consumer names of the host's handlers.
func (h *host) consumers() []string {
	var out []string
	for i := range h.opts.handlers {
		out = append(out, fmt.Sprintf("%s:handler-%d", h.id, i+1))
	}
	return out
}

// start runs the host's anklet and waits until every handler reads the
// work stream.
func (h *host) start() {
	h.w.t.Helper()
	h.proc = startProc(h.w.t, h.id, ankletBin, h.configPath(),
		filepath.Join(h.dir, "out.txt"), processEnv(h.dir))
	waitFor(h.w.t, 30*time.Second, h.id+"'s handlers to read the work stream", func() bool {
		if !h.proc.alive() {
			h.w.t.Fatalf("%s exited with status %d", h.id, h.proc.exitCode())
		}
		return h.reading()
	})
}

// reading reports whether every handler of the host has joined the work
// stream's consumer group since the process started.
func (h *host) reading() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	list, err := h.w.rdb.XInfoConsumers(ctx, h.w.keys.Jobs(), streams.Group).Result()
	if err != nil {
		return false
	}
	fresh := map[string]bool{}
	for _, c := range list {
		// A consumer kept from an earlier process has been inactive since.
		if c.Idle < time.Since(h.proc.started) {
			fresh[c.Name] = true
		}
	}
	for _, name := range h.consumers() {
		if !fresh[name] {
			return false
		}
	}
	return true
}

// kill ends the host's anklet and its children with SIGKILL, as a crash of
// the host would; its VMs stay in the fake's state.
func (h *host) kill() time.Time {
	h.proc.kill()
	return time.Now()
}

// vmNames are the names of the VMs the host ever cloned, from its call log.
func (h *host) vmNames() map[string]bool {
	h.w.t.Helper()
	out := map[string]bool{}
	for _, c := range h.fake.Calls() {
		args := operands(c.Args)
		if len(args) >= 2 && args[0] == "clone" {
			out[args[len(args)-1]] = true
		}
	}
	return out
}

// operands drops the leading global flags (-j) of a recorded anka call.
func operands(args []string) []string {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		args = args[1:]
	}
	return args
}
