package main

import (
	"sort"
	"strconv"
	"time"

	"github.com/anklet/anklet/anka/ankatest/internal/state"
)

func cmdVersion(e *env, args []string) reply {
	return ok(map[string]any{
		"product": "Anka Build Enterpriseplus",
		"version": "3.9.0",
		"build":   "215",
	}, "")
}

func cmdLicense(e *env, args []string) reply {
	st, err := e.store.Read()
	if err != nil {
		return fail(1, "%v", err)
	}
	return ok(map[string]any{
		"product":             "Anka Build Enterpriseplus",
		"license_type":        st.License.Type,
		"status":              st.License.Status,
		"expires":             "31-dec-2099",
		"max_number_of_cores": 32,
		"fulfillment":         "0000000000",
	}, "")
}

var listFlags = flags(
	"running:-r,--running", "stopped:-s,--stopped", "all:-a,--all", "field=:-f,--field",
)

func cmdList(e *env, args []string) reply {
	o, ids, err := parse(args, listFlags, false)
	if err != nil {
		return fail(1, "%v", err)
	}
	st, err := e.store.Read()
	if err != nil {
		return fail(1, "%v", err)
	}

	var ms []*state.Machine
	if len(ids) > 0 {
		for _, id := range ids {
			m := st.Find(id)
			if m == nil {
				return notFound(id)
			}
			ms = append(ms, m)
		}
	} else {
		ms = sorted(st)
	}

	out := []map[string]any{}
	for _, m := range ms {
		if o.has("running") && m.Status != "running" || o.has("stopped") && m.Status != "stopped" {
			continue
		}
		row := map[string]any{
			"name":          m.Name,
			"uuid":          m.UUID,
			"creation_date": m.Created.UTC().Format(time.RFC3339),
			"status":        m.Status,
		}
		if m.CurrentTag != "" {
			row["version"] = m.CurrentTag
		}
		out = append(out, row)
	}
	return ok(out, "")
}

func sorted(st *state.State) []*state.Machine {
	ms := make([]*state.Machine, 0, len(st.Machines))
	for _, m := range st.Machines {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Seq < ms[j].Seq })
	return ms
}

var showFlags = flags("tag=:-t,--tag", "current:--current")

func cmdShow(e *env, args []string) reply {
	_, pos, err := parse(args, showFlags, false)
	if err != nil {
		return fail(1, "%v", err)
	}
	if len(pos) == 0 {
		return fail(1, "show: missing vm")
	}
	st, err := e.store.Read()
	if err != nil {
		return fail(1, "%v", err)
	}
	m := st.Find(pos[0])
	if m == nil {
		return notFound(pos[0])
	}
	if len(pos) > 1 && pos[1] == "tag" {
		return ok(tagsOf(m), "")
	}
	return ok(showBody(m), "")
}

// tagsOf lists a machine's tags, the current one first.
func tagsOf(m *state.Machine) []map[string]any {
	out := []map[string]any{}
	if m.CurrentTag != "" {
		out = append(out, map[string]any{"tag": m.CurrentTag, "current": true})
	}
	for _, t := range m.Tags {
		if t != m.CurrentTag {
			out = append(out, map[string]any{"tag": t, "current": false})
		}
	}
	return out
}

func showBody(m *state.Machine) map[string]any {
	b := map[string]any{
		"uuid":           m.UUID,
		"name":           m.Name,
		"creation_date":  m.Created.UTC().Format(time.RFC3339),
		"cpu_cores":      m.CPU,
		"cpu_frequency":  0,
		"cpu_htt":        false,
		"arch":           2,
		"ram":            strconv.FormatUint(m.RAM, 10),
		"ram_size":       m.RAM,
		"frame_buffers":  1,
		"hard_drive":     m.HardDrive,
		"encrypted":      false,
		"image_size":     m.ImageSize,
		"addons_version": "3.9.0.215",
		"access_date":    m.Accessed.UTC().Format(time.RFC3339),
		"status":         m.Status,
	}
	if m.CurrentTag != "" {
		b["version"] = m.CurrentTag
	}
	return b
}
