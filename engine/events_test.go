package engine

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/anklet/anklet/streams"
)

func TestEventFieldsRoundTrip(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	e := Event{ID: "1-0", Type: EventVMStarted, JobID: 42, RunID: 7, Attempt: 2, At: at,
		Host: "mac-1", Plugin: "handler-1", Version: 4,
		Attrs: map[string]string{FieldVM: "anklet-vm-1", FieldTemplate: "macos-15"}}

	f := e.Fields()
	want := map[string]string{
		"type": "vm-started", "job_id": "42", "run_id": "7", "attempt": "2",
		"at": "2025-03-01T11:00:00.000000000Z", "host": "mac-1", "plugin": "handler-1",
		"version": "4", "vm": "anklet-vm-1", "template": "macos-15",
	}
	if !maps.Equal(f, want) {
		t.Fatalf("Fields() = %v, want %v", f, want)
	}

	got, err := ParseEvent(streams.Entry{ID: "1-0", Fields: f})
	if err != nil {
		t.Fatalf("ParseEvent: %v", err)
	}
	if !got.At.Equal(at) || got.At.Location() != time.UTC {
		t.Errorf("At = %v, want %v in UTC", got.At, at)
	}
	got.At = e.At
	if got.ID != e.ID || got.Type != e.Type || got.JobID != e.JobID || got.RunID != e.RunID ||
		got.Attempt != e.Attempt || got.Host != e.Host || got.Plugin != e.Plugin ||
		got.Version != e.Version || !maps.Equal(got.Attrs, e.Attrs) {
		t.Errorf("ParseEvent(Fields()) = %+v, want %+v", got, e)
	}
}

func TestEventBaseFieldsWinOverAttrs(t *testing.T) {
	e := Event{Type: EventQueued, JobID: 1, Version: 1, Attrs: map[string]string{"type": "x"}}
	if got := e.Fields()["type"]; got != "queued" {
		t.Errorf("type = %q, want queued", got)
	}
}

func TestParseEventRejectsBadFields(t *testing.T) {
	good := Event{Type: EventQueued, JobID: 1, Version: 1, At: time.Now(), Host: "h",
		Plugin: "p"}.Fields()
	tests := []struct {
		field, value string // value "-" deletes the field
		want         string
	}{
		{"type", "-", "field type: missing"},
		{"job_id", "-", "field job_id: missing"},
		{"version", "-", "field version: missing"},
		{"host", "-", "field host: missing"},
		{"type", "started", `unknown event type "started"`},
		{"job_id", "0", "field job_id: want a positive integer"},
		{"job_id", "abc", "field job_id: want a positive integer"},
		{"run_id", "-1", "field run_id: want a non-negative integer"},
		{"attempt", "x", "field attempt: want a non-negative integer"},
		{"version", "0", "field version: want a positive integer"},
		{"at", "yesterday", "field at: want an RFC 3339 time"},
	}
	for _, tt := range tests {
		f := maps.Clone(good)
		if tt.value == "-" {
			delete(f, tt.field)
		} else {
			f[tt.field] = tt.value
		}
		_, err := ParseEvent(streams.Entry{ID: "9-1", Fields: f})
		if !errors.Is(err, ErrMalformedEvent) || !strings.Contains(err.Error(), tt.want) ||
			!strings.Contains(err.Error(), "event 9-1") {
			t.Errorf("%s=%q: err = %v, want %q naming event 9-1", tt.field, tt.value, err,
				tt.want)
		}
	}
}

func TestTerminal(t *testing.T) {
	var got []EventType
	for _, e := range EventTypes {
		if e.Terminal() {
			got = append(got, e)
		}
	}
	if len(got) != 3 || got[0] != EventCompleted || got[1] != EventFailed ||
		got[2] != EventCanceled {
		t.Errorf("terminal types = %v, want completed, failed, canceled", got)
	}
}
