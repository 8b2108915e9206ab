package ankatest

import (
	"sort"
	"time"

	"github.com/anklet/anklet/anka/ankatest/internal/state"
)

// Template describes a template for AddTemplate and AddRegistryTemplate.
// Zero sizes get defaults: 4 cores, 8 GiB RAM, a 20 GiB image. CurrentTag
// defaults to the last of Tags; Name defaults to UUID.
type Template struct {
	UUID       string
	Name       string
	Tags       []string
	CurrentTag string
	CPU        int
	RAM        uint64 // bytes
	ImageSize  uint64 // bytes
}

func (t Template) withDefaults() Template {
	if t.Name == "" {
		t.Name = t.UUID
	}
	if t.CPU == 0 {
		t.CPU = 4
	}
	if t.RAM == 0 {
		t.RAM = 8 << 30
	}
	if t.ImageSize == 0 {
		t.ImageSize = 20 << 30
	}
	if t.CurrentTag == "" && len(t.Tags) > 0 {
		t.CurrentTag = t.Tags[len(t.Tags)-1]
	}
	if t.CurrentTag != "" && !state.HasTag(t.Tags, t.CurrentTag) {
		t.Tags = append(append([]string(nil), t.Tags...), t.CurrentTag)
	}
	return t
}

// AddTemplate installs t as a local template, as if it had been pulled.
func (h *Host) AddTemplate(t Template) {
	h.tb.Helper()
	t = t.withDefaults()
	now := time.Now().UTC()
	h.update(func(st *state.State) {
		st.Machines[t.UUID] = &state.Machine{
			Kind: state.KindTemplate, UUID: t.UUID, Name: t.Name, Tags: t.Tags,
			CurrentTag: t.CurrentTag, Status: "stopped", CPU: t.CPU, RAM: t.RAM,
			ImageSize: t.ImageSize, HardDrive: 4 * t.ImageSize, Created: now, Accessed: now,
			Seq: st.NextSeq(),
		}
	})
}

// AddRegistryTemplate makes t available in the registry only; every tag of
// t can be pulled and CurrentTag is the registry's latest.
func (h *Host) AddRegistryTemplate(t Template) {
	h.tb.Helper()
	t = t.withDefaults()
	h.update(func(st *state.State) {
		st.Registry[t.UUID] = &state.Template{
			UUID: t.UUID, Name: t.Name, Tags: t.Tags, Latest: t.CurrentTag,
			CPU: t.CPU, RAM: t.RAM, ImageSize: t.ImageSize,
		}
	})
}

// VM is a snapshot of a cloned VM.
type VM struct {
	Name     string
	UUID     string
	Template string // UUID of the template it was cloned from
	Tag      string
	Status   string // stopped, running, failed
	CPU      int
	RAM      uint64
	Home     string
	Mounts   []string
}

// VMs returns the cloned VMs (not templates) in creation order.
func (h *Host) VMs() []VM {
	h.tb.Helper()
	var out []VM
	for _, m := range machines(h.read()) {
		if m.Kind == state.KindVM {
			out = append(out, VM{
				Name: m.Name, UUID: m.UUID, Template: m.Source, Tag: m.CurrentTag,
				Status: m.Status, CPU: m.CPU, RAM: m.RAM, Home: m.Home, Mounts: m.Mounts,
			})
		}
	}
	return out
}

// Running returns the names of running VMs and templates, in creation order.
func (h *Host) Running() []string {
	h.tb.Helper()
	var out []string
	for _, m := range machines(h.read()) {
		if m.Status == "running" {
			out = append(out, m.Name)
		}
	}
	return out
}

// Templates returns the local templates in creation order.
func (h *Host) Templates() []Template {
	h.tb.Helper()
	var out []Template
	for _, m := range machines(h.read()) {
		if m.Kind == state.KindTemplate {
			out = append(out, Template{
				UUID: m.UUID, Name: m.Name, Tags: m.Tags, CurrentTag: m.CurrentTag,
				CPU: m.CPU, RAM: m.RAM, ImageSize: m.ImageSize,
			})
		}
	}
	return out
}

func machines(st *state.State) []*state.Machine {
	ms := make([]*state.Machine, 0, len(st.Machines))
	for _, m := range st.Machines {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Seq < ms[j].Seq })
	return ms
}
