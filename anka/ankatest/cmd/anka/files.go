package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/anklet/anklet/anka/ankatest/internal/state"
)

var cpFlags = flags(
	"a:-a", "R:-R", "L:-L", "H:-H", "P:-P", "f:-f", "n:-n", "p:-p", "v:-v", "pPR:-pPR",
)

// cmdCopy copies between the host and a VM's home: `cp <src>… <vm>:[path]`
// or `cp <vm>:<path> <dest>`. Guest paths are relative to the home;
// /Users/anka is the home itself.
func cmdCopy(e *env, args []string) reply {
	o, pos, err := parse(args, cpFlags, false)
	if err != nil {
		return fail(1, "%v", err)
	}
	if len(pos) < 2 {
		return fail(1, "cp: usage: cp [options] <src>... <dst>")
	}
	st, err := e.store.Read()
	if err != nil {
		return fail(1, "%v", err)
	}

	srcs, dst := pos[:len(pos)-1], pos[len(pos)-1]
	if m, p, isVM := guestPath(st, e, dst); isVM {
		if m == nil {
			return notFound(strings.SplitN(dst, ":", 2)[0])
		}
		if err := os.MkdirAll(m.Home, 0o755); err != nil {
			return fail(1, "%v", err)
		}
		return copyFiles(o, srcs, p)
	}

	var hostSrcs []string
	for _, s := range srcs {
		m, p, isVM := guestPath(st, e, s)
		if !isVM || m == nil {
			return fail(codeNotFound, "%s: not found", s)
		}
		hostSrcs = append(hostSrcs, p)
	}
	return copyFiles(o, hostSrcs, dst)
}

// guestPath maps "<vm>:<path>" to the host path inside the VM's home.
func guestPath(st *state.State, e *env, arg string) (*state.Machine, string, bool) {
	name, p, found := strings.Cut(arg, ":")
	if !found || name == "" || strings.Contains(name, "/") {
		return nil, "", false
	}
	m := st.Find(name)
	if m == nil {
		return nil, "", true
	}
	if m.Home == "" {
		m.Home = e.store.HomeDir(m.Name)
	}
	p = strings.TrimPrefix(strings.TrimPrefix(p, "/Users/anka"), "/")
	return m, filepath.Join(m.Home, filepath.Clean("/"+p)), true
}

func copyFiles(o opts, srcs []string, dst string) reply {
	flag := "-a"
	if o.has("L") {
		flag = "-RL"
	}
	out, err := exec.Command("cp", append(append([]string{flag}, srcs...), dst)...).CombinedOutput()
	if err != nil {
		return fail(1, "cp: %s", strings.TrimSpace(string(out)))
	}
	return ok(nil, "")
}

func cmdMount(e *env, args []string) reply {
	if len(args) != 2 {
		return fail(1, "mount: usage: mount <vm> <host_path>[:<guest_folder_name>]")
	}
	host := args[1]
	if i := strings.LastIndex(host, ":"); i > 0 {
		host = host[:i]
	}
	if _, err := os.Stat(host); err != nil {
		return fail(1, "%s: no such file or directory", host)
	}
	return change(e, func(st *state.State) reply {
		m := st.Find(args[0])
		if m == nil {
			return notFound(args[0])
		}
		m.Mounts = append(m.Mounts, args[1])
		return ok(nil, "")
	})
}
