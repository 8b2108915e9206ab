package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/anklet/anklet/anka/ankatest/internal/state"
)

var errNoSave = errors.New("reply failed; state left as it was")

// change runs fn under the state lock and saves the state only when fn's
// reply is OK, so a failed command changes nothing.
func change(e *env, fn func(st *state.State) reply) reply {
	var r reply
	err := e.store.Update(func(st *state.State) error {
		r = fn(st)
		if r.failed {
			return errNoSave
		}
		return nil
	})
	if err != nil && !errors.Is(err, errNoSave) {
		return fail(1, "%v", err)
	}
	return r
}

var cloneFlags = flags("copy:-c,--copy", "tag=:-t,--tag")

func cmdClone(e *env, args []string) reply {
	o, pos, err := parse(args, cloneFlags, false)
	if err != nil {
		return fail(1, "%v", err)
	}
	if len(pos) < 2 {
		return fail(1, "clone: usage: clone [options] <vm> <name>...")
	}
	return change(e, func(st *state.State) reply {
		src := st.Find(pos[0])
		if src == nil {
			return notFound(pos[0])
		}
		tag := o.get("tag")
		if tag == "" {
			tag = src.CurrentTag
		} else if !state.HasTag(src.Tags, tag) {
			return fail(codeNotFound, "%s: tag not found", tag)
		}

		var last string
		for _, name := range pos[1:] {
			if name == "" || strings.ContainsAny(name, "/:") || name == "." || name == ".." {
				return fail(1, "%s: invalid name", name)
			}
			if st.Find(name) != nil {
				return fail(codeExists, "%s: already exists", name)
			}
			home := e.store.HomeDir(name)
			if err := writeShims(home, e.self); err != nil {
				return fail(1, "%v", err)
			}
			now := time.Now().UTC()
			m := &state.Machine{
				Kind: state.KindVM, UUID: newUUID(), Name: name, Source: src.UUID,
				CurrentTag: tag, Status: "stopped", CPU: src.CPU, RAM: src.RAM,
				ImageSize: src.ImageSize, HardDrive: src.HardDrive,
				Created: now, Accessed: now, Home: home, Seq: st.NextSeq(),
			}
			if tag != "" {
				m.Tags = []string{tag}
			}
			st.Machines[m.UUID] = m
			last = m.UUID
		}
		return ok(map[string]any{"uuid": last}, "")
	})
}

var startFlags = flags(
	"force:-f,--force", "quiet:-q,--quiet", "view:-v,--view", "update:-u,--update-addons",
	"mount=:--mount", "no-mount:--disable-auto-mount", "passwd=:--login-passwd",
)

func cmdStart(e *env, args []string) reply {
	_, pos, err := parse(args, startFlags, false)
	if err != nil {
		return fail(1, "%v", err)
	}
	if len(pos) == 0 {
		return fail(1, "start: missing vm")
	}
	return change(e, func(st *state.State) reply {
		var m *state.Machine
		for _, id := range pos {
			if m = st.Find(id); m == nil {
				return notFound(id)
			}
			if r := startLocked(st, m); r.failed {
				return r
			}
		}
		return ok(showBody(m), "")
	})
}

// startLocked marks m running unless that would exceed the running limit.
func startLocked(st *state.State, m *state.Machine) reply {
	if m.Status != "running" {
		if st.Running() >= st.MaxRunning {
			return fail(1, "%s: maximum number of running instances exceeded", m.Name)
		}
		m.Status = "running"
	}
	m.Accessed = time.Now().UTC()
	return ok(nil, "")
}

var stopFlags = flags("force:-f,--force", "all:-a,--all")

func cmdStop(e *env, args []string) reply {
	o, pos, err := parse(args, stopFlags, false)
	if err != nil {
		return fail(1, "%v", err)
	}
	return change(e, func(st *state.State) reply {
		if o.has("all") {
			for _, m := range st.Machines {
				m.Status = "stopped"
			}
			return ok(nil, "")
		}
		for _, id := range pos {
			m := st.Find(id)
			if m == nil {
				return notFound(id)
			}
			m.Status = "stopped"
		}
		return ok(nil, "")
	})
}

var deleteFlags = flags("yes:-y,--yes", "all:-a,--all", "tag=:-t,--tag", "cache:--cache")

func cmdDelete(e *env, args []string) reply {
	o, pos, err := parse(args, deleteFlags, false)
	if err != nil {
		return fail(1, "%v", err)
	}
	if !o.has("yes") {
		return fail(1, "delete: confirmation required; pass --yes")
	}
	return change(e, func(st *state.State) reply {
		for _, id := range pos {
			m := st.Find(id)
			if m == nil {
				return notFound(id)
			}
			if tag := o.get("tag"); tag != "" {
				m.Tags = remove(m.Tags, tag)
				if m.CurrentTag == tag {
					m.CurrentTag = ""
				}
				continue
			}
			// A running VM is stopped first; the fake has nothing to stop.
			delete(st.Machines, m.UUID)
			if m.Home != "" {
				if err := os.RemoveAll(m.Home); err != nil {
					return fail(1, "%s: remove home: %v", m.Name, err)
				}
			}
		}
		return ok(nil, "")
	})
}

func remove(tags []string, tag string) []string {
	out := tags[:0:0]
	for _, t := range tags {
		if t != tag {
			out = append(out, t)
		}
	}
	return out
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// writeShims creates the VM's home with the runner "pre-installed in the
// template": run.sh and config.sh re-enter this binary in runner mode.
func writeShims(home, self string) error {
	if err := os.MkdirAll(home, 0o755); err != nil {
		return fmt.Errorf("create home: %w", err)
	}
	quoted := "'" + strings.ReplaceAll(self, "'", `'\''`) + "'"
	shims := map[string]string{"run.sh": "__runner", "config.sh": "__config"}
	for name, mode := range shims {
		body := "#!/bin/sh\n# Fake GitHub Actions runner written by ankatest.\n" +
			"exec " + quoted + " " + mode + " \"$@\"\n"
		if err := os.WriteFile(filepath.Join(home, name), []byte(body), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}
