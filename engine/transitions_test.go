package engine

import (
	"slices"
	"strings"
	"testing"
)

// allowedPairs is the transition table written out independently of
// Transitions, one "from>to" per allowed pair ("" = job unknown).
var allowedPairs = strings.Fields(`
	>queued >in-progress >completed >canceled
	queued>claimed queued>in-progress queued>completed queued>canceled queued>failed
	queued>requeued
	requeued>claimed requeued>in-progress requeued>completed requeued>canceled
	requeued>failed requeued>requeued
	claimed>pulling claimed>vm-started claimed>registered claimed>requeued
	claimed>in-progress claimed>completed claimed>canceled claimed>failed
	pulling>vm-started pulling>requeued pulling>in-progress pulling>completed
	pulling>canceled pulling>failed
	vm-started>registered vm-started>requeued vm-started>in-progress
	vm-started>completed vm-started>canceled vm-started>failed
	registered>in-progress registered>requeued registered>completed registered>canceled
	registered>failed
	in-progress>completed in-progress>canceled in-progress>failed in-progress>requeued
`)

func allStates() []EventType { return append([]EventType{""}, EventTypes...) }

func TestAllowedMatchesTable(t *testing.T) {
	n := 0
	for _, from := range allStates() {
		for _, to := range EventTypes {
			want := slices.Contains(allowedPairs, string(from)+">"+string(to))
			if want {
				n++
			}
			if got := Allowed(from, to); got != want {
				t.Errorf("Allowed(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
	if n != len(allowedPairs) {
		t.Errorf("table lists %d pairs, %d matched known states", len(allowedPairs), n)
	}
}

func TestTerminalStatesHaveNoSuccessor(t *testing.T) {
	for _, from := range EventTypes {
		if !from.Terminal() {
			continue
		}
		for _, to := range EventTypes {
			if Allowed(from, to) {
				t.Errorf("terminal %s may be followed by %s", from, to)
			}
		}
	}
	for _, to := range EventTypes {
		if Allowed(to, to) && to != EventRequeued {
			t.Errorf("%s may follow itself", to)
		}
	}
}

func TestSources(t *testing.T) {
	tests := []struct {
		to   EventType
		want []EventType
	}{
		{EventQueued, []EventType{""}},
		{EventClaimed, []EventType{EventQueued, EventRequeued}},
		{EventRegistered, []EventType{EventClaimed, EventVMStarted}},
		{EventCompleted, []EventType{"", EventQueued, EventClaimed, EventPulling,
			EventVMStarted, EventRegistered, EventInProgress, EventRequeued}},
		{EventRequeued, []EventType{EventQueued, EventClaimed, EventPulling,
			EventVMStarted, EventRegistered, EventInProgress, EventRequeued}},
		{"bogus", nil},
	}
	for _, tt := range tests {
		if got := Sources(tt.to); !slices.Equal(got, tt.want) {
			t.Errorf("Sources(%s) = %v, want %v", tt.to, got, tt.want)
		}
	}
}
