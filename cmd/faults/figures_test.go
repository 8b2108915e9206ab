package faults

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// figures are one scenario's measurements, printed in the order added.
type figures struct {
	scenario string
	keys     []string
	values   map[string]string
}

func newFigures(scenario string) *figures {
	return &figures{scenario: scenario, values: map[string]string{}}
}

// add records a figure; durations are rounded to the millisecond.
func (f *figures) add(key string, v any) {
	if d, ok := v.(time.Duration); ok {
		v = d.Round(time.Millisecond)
	}
	if _, seen := f.values[key]; !seen {
		f.keys = append(f.keys, key)
	}
	f.values[key] = fmt.Sprint(v)
}

// String is the figures line: "faults: scenario=<name> key=value ...".
func (f *figures) String() string {
	var b strings.Builder
	b.WriteString("faults: scenario=" + f.scenario)
	for _, k := range f.keys {
		b.WriteString(" " + k + "=" + f.values[k])
	}
	return b.String()
}

// report logs the figures and prints them on stdout.
func (f *figures) report(t *testing.T) {
	t.Log(f.String())
	fmt.Println(f.String())
}
