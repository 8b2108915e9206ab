package receiver

import (
	"fmt"
	"testing"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github"
)

func TestFailedDeliveries(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	d := func(id int64, guid, action string, code, min int) github.Delivery {
		return github.Delivery{ID: id, GUID: guid, Event: "workflow_job", Action: action,
			StatusCode: code, DeliveredAt: at(min)}
	}
	// Newest first, as GitHub lists them.
	list := []github.Delivery{
		d(9, "late-ok", "queued", 200, 9),
		d(8, "twice", "completed", 503, 8), // the retry failed too: fetch this one
		{ID: 7, GUID: "ping", Event: "ping", StatusCode: 0, DeliveredAt: at(7)},
		d(6, "waiting", "waiting", 0, 6),
		d(5, "late-ok", "queued", 0, 5),
		d(4, "once", "in_progress", 502, 4),
		d(3, "twice", "completed", 0, 3),
		d(2, "ok", "queued", 202, 2),
	}
	got := failedDeliveries(list)
	want := []failed{
		{id: 8, guid: "twice", action: "completed", first: at(3)},
		{id: 4, guid: "once", action: "in_progress", first: at(4)},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("failedDeliveries:\n got %v\nwant %v", got, want)
	}
}

func TestChoose(t *testing.T) {
	c := func(guid string, job int64, action string) candidate {
		return candidate{failed: failed{guid: guid, action: action}, jobID: job}
	}
	none := engine.EventType("")
	tests := []struct {
		name    string
		cands   []candidate
		state   engine.EventType
		handled string
		want    string
	}{
		{"queued, job unknown", []candidate{c("q", 1, "queued")}, none, "", "q"},
		{"queued, job known", []candidate{c("q", 1, "queued")}, engine.EventClaimed, "", ""},
		{"in_progress, job claimed", []candidate{c("p", 1, "in_progress")}, engine.EventClaimed,
			"", "p"},
		{"in_progress, job requeued", []candidate{c("p", 1, "in_progress")}, engine.EventRequeued,
			"", "p"},
		{"in_progress, job unknown", []candidate{c("p", 1, "in_progress")}, none, "", "p"},
		{"in_progress, job in progress", []candidate{c("p", 1, "in_progress")},
			engine.EventInProgress, "", ""},
		{"in_progress, job failed", []candidate{c("p", 1, "in_progress")}, engine.EventFailed, "",
			""},
		{"completed, job in progress", []candidate{c("c", 1, "completed")},
			engine.EventInProgress, "", "c"},
		{"completed, job canceled", []candidate{c("c", 1, "completed")}, engine.EventCanceled, "",
			""},
		{"queued and completed: completed only", []candidate{c("q", 1, "queued"),
			c("c", 1, "completed")}, none, "", "c"},
		{"queued and in_progress: in_progress only", []candidate{c("q", 1, "queued"),
			c("p", 1, "in_progress")}, none, "", "p"},
		{"marker exists", []candidate{c("q", 1, "queued")}, none, "q", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := choose(tt.cands, map[int64]engine.EventType{1: tt.state},
				map[string]bool{tt.handled: tt.handled != ""})
			var guids string
			for _, g := range got {
				guids += g.guid
			}
			if guids != tt.want {
				t.Errorf("chose %q, want %q", guids, tt.want)
			}
		})
	}
}

func TestHookFor(t *testing.T) {
	tok := github.Options{Token: "t"}
	app := github.Options{AppID: 1, PrivateKey: "k"}
	both := github.Options{Token: "t", AppID: 1, PrivateKey: "k"}
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"org hook", Options{Owner: "o", HookID: 5, GitHub: tok}, "hook 5 of o"},
		{"repo hook", Options{Owner: "o", Repo: "r", HookID: 5, GitHub: tok}, "hook 5 of o/r"},
		{"app hook", Options{Owner: "o", GitHub: app}, "app hook"},
		{"token wins over app", Options{Owner: "o", HookID: 5, GitHub: both}, "hook 5 of o"},
		{"skip", Options{Owner: "o", HookID: 5, GitHub: tok, SkipRedeliver: true},
			"off: skip_redeliver is set"},
		{"no credentials", Options{Owner: "o", HookID: 5}, "off: no GitHub token or App credentials"},
		{"no hook id", Options{Owner: "o", GitHub: tok}, "off: no hook_id"},
	}
	for _, tt := range tests {
		hook, off := hookFor(tt.o)
		got := hook.String()
		if off != "" {
			got = "off: " + off
		}
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
