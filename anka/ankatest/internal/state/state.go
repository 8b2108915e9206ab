// Package state holds the fake anka's world: local templates, VMs, the
// registry, injected faults and the call log. The fake binary and the test
// helpers both read and change it, each change under an exclusive file lock,
// so several fake processes may run at once.
package state

import "time"

// EnvVar names the variable that points the fake binary at its state directory.
const EnvVar = "ANKATEST_STATE"

// DefaultMaxRunning is how many VMs may run at once, as on Apple Silicon.
const DefaultMaxRunning = 2

// DefaultAvailableDisk is the free disk the fake reports to a download size
// check: 500 GiB.
const DefaultAvailableDisk uint64 = 500 << 30

// Kinds of machine.
const (
	KindTemplate = "template"
	KindVM       = "vm"
)

// Machine is a local VM or template. The real CLI makes no difference between
// the two; the fake keeps the kind so that tests can tell them apart.
type Machine struct {
	Kind       string    `json:"kind"`
	UUID       string    `json:"uuid"`
	Name       string    `json:"name"`
	Source     string    `json:"source,omitempty"` // template UUID a VM was cloned from
	Tags       []string  `json:"tags,omitempty"`
	CurrentTag string    `json:"current_tag,omitempty"`
	Status     string    `json:"status"`
	CPU        int       `json:"cpu_cores"`
	RAM        uint64    `json:"ram_size"`
	ImageSize  uint64    `json:"image_size"`
	HardDrive  uint64    `json:"hard_drive"`
	Created    time.Time `json:"creation_date"`
	Accessed   time.Time `json:"access_date"`
	Home       string    `json:"home,omitempty"`
	Mounts     []string  `json:"mounts,omitempty"`
	Seq        int       `json:"seq"`
}

// Template is a template in the registry.
type Template struct {
	UUID      string   `json:"uuid"`
	Name      string   `json:"name"`
	Tags      []string `json:"tags"`
	Latest    string   `json:"latest"`
	CPU       int      `json:"cpu_cores"`
	RAM       uint64   `json:"ram_size"`
	ImageSize uint64   `json:"image_size"`
}

// Fault makes the next Times calls of one operation fail (Times 0: every
// call). ExitCode defaults to 1, or 125 for run. When Raw is set, it is
// printed on stdout instead of an error envelope, with ExitCode (0 allowed).
type Fault struct {
	ExitCode int    `json:"exit_code"`
	Code     int    `json:"code"`
	Message  string `json:"message"`
	Times    int    `json:"times"`
	Raw      string `json:"raw,omitempty"`
}

// License is what `license show` reports.
type License struct {
	Type   string `json:"license_type"`
	Status string `json:"status"`
}

// State is the whole persisted world.
type State struct {
	MaxRunning    int                      `json:"max_running"`
	AvailableDisk uint64                   `json:"available_disk"`
	License       License                  `json:"license"`
	Machines      map[string]*Machine      `json:"machines"` // by UUID
	Registry      map[string]*Template     `json:"registry"` // by UUID
	Faults        map[string]*Fault        `json:"faults"`
	Delays        map[string]time.Duration `json:"delays"`
	Seq           int                      `json:"seq"`
}

// New returns an empty world with the defaults.
func New() *State {
	s := &State{}
	s.fill()
	return s
}

func (s *State) fill() {
	if s.MaxRunning == 0 {
		s.MaxRunning = DefaultMaxRunning
	}
	if s.AvailableDisk == 0 {
		s.AvailableDisk = DefaultAvailableDisk
	}
	if s.License.Type == "" {
		s.License.Type = "com.veertu.anka.entplus"
	}
	if s.License.Status == "" {
		s.License.Status = "valid"
	}
	if s.Machines == nil {
		s.Machines = map[string]*Machine{}
	}
	if s.Registry == nil {
		s.Registry = map[string]*Template{}
	}
	if s.Faults == nil {
		s.Faults = map[string]*Fault{}
	}
	if s.Delays == nil {
		s.Delays = map[string]time.Duration{}
	}
}

// Find returns the machine whose name or UUID is id, or nil.
func (s *State) Find(id string) *Machine {
	if m, ok := s.Machines[id]; ok {
		return m
	}
	for _, m := range s.Machines {
		if m.Name == id {
			return m
		}
	}
	return nil
}

// FindRegistry returns the registry template whose UUID or name is id, or nil.
func (s *State) FindRegistry(id string) *Template {
	if t, ok := s.Registry[id]; ok {
		return t
	}
	for _, t := range s.Registry {
		if t.Name == id {
			return t
		}
	}
	return nil
}

// Running counts the machines whose status is running.
func (s *State) Running() int {
	n := 0
	for _, m := range s.Machines {
		if m.Status == "running" {
			n++
		}
	}
	return n
}

// NextSeq returns a number that orders machines by creation.
func (s *State) NextSeq() int {
	s.Seq++
	return s.Seq
}

// TakeFault returns the fault set for op, counting one use of it, or nil.
func (s *State) TakeFault(op string) *Fault {
	f, ok := s.Faults[op]
	if !ok {
		return nil
	}
	out := *f
	if f.Times > 0 {
		f.Times--
		if f.Times == 0 {
			delete(s.Faults, op)
		}
	}
	return &out
}

// HasTag reports whether tags holds tag.
func HasTag(tags []string, tag string) bool {
	for _, t := range tags {
		if t == tag {
			return true
		}
	}
	return false
}
