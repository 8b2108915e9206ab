package engine

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/streams/*.golden.json from the replay")

// golden is what a *.golden.json file holds: the final jobs of a replayed
// log, or the error that rejected it.
type golden struct {
	Jobs  map[int64]Job `json:"jobs,omitempty"`
	Error string        `json:"error,omitempty"`
}

func TestReplayGolden(t *testing.T) {
	logs, err := filepath.Glob("../testdata/streams/*.jsonl")
	if err != nil || len(logs) == 0 {
		t.Fatalf("no golden logs found: %v", err)
	}
	for _, path := range logs {
		name := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var got golden
			got.Jobs, err = ReplayJSONL(f)
			if err != nil {
				got.Error = err.Error()
			}

			goldenPath := strings.TrimSuffix(path, ".jsonl") + ".golden.json"
			if *update {
				b, err := json.MarshalIndent(got, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(goldenPath, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			compareGolden(t, goldenPath, got)
		})
	}
}

func compareGolden(t *testing.T, path string, got golden) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	var want golden
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatalf("golden %s: %v", path, err)
	}
	if got.Error != want.Error {
		t.Errorf("error = %q\nwant    %q", got.Error, want.Error)
	}
	if len(got.Jobs) != len(want.Jobs) {
		t.Errorf("replay yields %d jobs, golden %d", len(got.Jobs), len(want.Jobs))
	}
	for id, w := range want.Jobs {
		g, ok := got.Jobs[id]
		if !ok {
			t.Errorf("job %d missing from replay", id)
			continue
		}
		if !jobsEqual(g, w) {
			gb, _ := json.Marshal(g)
			wb, _ := json.Marshal(w)
			t.Errorf("job %d:\n got %s\nwant %s", id, gb, wb)
		}
	}
}

func TestReplayRejectsMalformedLines(t *testing.T) {
	tests := map[string]string{
		"not json":      "{oops\n",
		"missing field": `{"id":"1-0","fields":{"type":"queued","job_id":"1"}}` + "\n",
	}
	for name, in := range tests {
		if _, err := ReplayJSONL(strings.NewReader(in)); err == nil {
			t.Errorf("%s: replay succeeded, want an error", name)
		}
	}
	jobs, err := ReplayJSONL(strings.NewReader(""))
	if err != nil || len(jobs) != 0 {
		t.Errorf("empty log: jobs %v, err %v", jobs, err)
	}
}
