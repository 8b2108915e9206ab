package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/anklet/anklet/anka/ankatest/internal/state"
)

var registryFlags = flags(
	"remote=:-r,--remote", "insecure:--insecure", "cert=:--cert", "key=:--key",
	"cacert=:--cacert", "api-key-id=:--api-key-id", "api-key=:--api-key",
	"oci=:-o,--oci-version", "user=:-u,--user", "prefix=:-p,--prefix",
)

// subArgs drops the registry options and the subcommand name.
func subArgs(args []string) ([]string, error) {
	_, pos, err := parse(args, registryFlags, true)
	if err != nil {
		return nil, err
	}
	return pos[1:], nil
}

func cmdRegistryList(e *env, args []string) reply {
	st, err := e.store.Read()
	if err != nil {
		return fail(1, "%v", err)
	}
	out := []map[string]any{}
	for _, t := range st.Registry {
		out = append(out, map[string]any{"uuid": t.UUID, "name": t.Name, "latest": t.Latest})
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["uuid"].(string) < out[j]["uuid"].(string) })
	return ok(out, "")
}

func cmdRegistryRepos(e *env, args []string) reply {
	url := os.Getenv("ANKA_REGISTRY")
	if url == "" {
		url = "http://anka-registry.invalid:8089"
	}
	return ok([]map[string]any{{"name": "default", "url": url, "default": true}}, "")
}

var registryShowFlags = flags("tag=:-t,--tag")

func cmdRegistryShow(e *env, args []string) reply {
	sub, err := subArgs(args)
	if err != nil {
		return fail(1, "%v", err)
	}
	o, pos, err := parse(sub, registryShowFlags, false)
	if err != nil {
		return fail(1, "%v", err)
	}
	if len(pos) == 0 {
		return fail(1, "registry show: missing template")
	}
	st, err := e.store.Read()
	if err != nil {
		return fail(1, "%v", err)
	}
	t, tag, r := lookupRegistry(st, pos[0], o.get("tag"))
	if r.failed {
		return r
	}
	return ok(map[string]any{
		"uuid": t.UUID, "name": t.Name, "tag": tag, "tags": t.Tags,
		"cpu_cores": t.CPU, "ram": strconv.FormatUint(t.RAM, 10), "ram_size": t.RAM,
		"image_size": t.ImageSize,
	}, "")
}

// lookupRegistry finds template id and resolves tag ("" = latest).
func lookupRegistry(st *state.State, id, tag string) (*state.Template, string, reply) {
	t := st.FindRegistry(id)
	if t == nil {
		return nil, "", notFound(id)
	}
	if tag == "" {
		tag = t.Latest
	}
	if !state.HasTag(t.Tags, tag) {
		return nil, "", fail(codeNotFound, "%s: tag %s not found", id, tag)
	}
	return t, tag, ok(nil, "")
}

var pullFlags = flags(
	"tag=:-t,--tag", "local:-l,--local", "shrink:-s,--shrink", "fetch-only:--fetch-only",
	"check:--check-download-size", "quiet:-q,--quiet",
)

func cmdRegistryPull(e *env, args []string) reply {
	sub, err := subArgs(args)
	if err != nil {
		return fail(1, "%v", err)
	}
	return pull(e, sub)
}

// cmdPull is the top-level `pull <vmid> [remote]`, also the download size check.
func cmdPull(e *env, args []string) reply {
	o, _, err := parse(args, pullFlags, false)
	if err != nil {
		return fail(1, "%v", err)
	}
	if o.has("check") {
		return checkSize(e, args)
	}
	return pull(e, args)
}

func checkSize(e *env, args []string) reply {
	o, pos, _ := parse(args, pullFlags, false)
	if len(pos) == 0 {
		return fail(1, "pull: missing template")
	}
	st, err := e.store.Read()
	if err != nil {
		return fail(1, "%v", err)
	}
	id, tag := pos[0], o.get("tag")
	if m := st.Find(id); m != nil && (tag == "" || state.HasTag(m.Tags, tag)) {
		if tag == "" {
			tag = m.CurrentTag
		}
		return ok(map[string]any{}, tag+": available locally")
	}
	t, _, r := lookupRegistry(st, id, tag)
	if r.failed {
		return r
	}
	return ok(map[string]any{"size": t.ImageSize, "cached": 0, "available": st.AvailableDisk}, "")
}

// pull prints progress lines, waits the configured delay, then installs the
// template tag locally.
func pull(e *env, args []string) reply {
	o, pos, err := parse(args, pullFlags, false)
	if err != nil {
		return fail(1, "%v", err)
	}
	if len(pos) == 0 {
		return fail(1, "pull: missing template")
	}
	st, err := e.store.Read()
	if err != nil {
		return fail(1, "%v", err)
	}
	if _, _, r := lookupRegistry(st, pos[0], o.get("tag")); r.failed {
		return r
	}

	for _, p := range []string{"0", "0.5"} {
		fmt.Fprintf(e.stdout, "{\"p\":%s}\n", p)
		time.Sleep(e.delay / 2)
	}
	fmt.Fprintln(e.stdout, `{"p":1}`)

	return change(e, func(st *state.State) reply {
		t, tag, r := lookupRegistry(st, pos[0], o.get("tag"))
		if r.failed {
			return r
		}
		m := st.Machines[t.UUID]
		if m == nil {
			m = &state.Machine{
				Kind: state.KindTemplate, UUID: t.UUID, Name: t.Name, Status: "stopped",
				Created: time.Now().UTC(), Seq: st.NextSeq(),
			}
			st.Machines[t.UUID] = m
		}
		m.CPU, m.RAM, m.ImageSize, m.HardDrive = t.CPU, t.RAM, t.ImageSize, 4*t.ImageSize
		m.Accessed = time.Now().UTC()
		m.CurrentTag = tag
		if o.has("shrink") {
			m.Tags = []string{tag}
		} else if !state.HasTag(m.Tags, tag) {
			m.Tags = append(m.Tags, tag)
		}
		return ok(map[string]any{}, fmt.Sprintf("%s (%s) pulled", t.Name, tag))
	})
}
