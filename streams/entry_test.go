package streams

import (
	"bytes"
	"strings"
	"testing"
)

func TestJSONLRoundTrip(t *testing.T) {
	in := []Entry{
		{ID: "1-0", Fields: map[string]string{"type": "queued", "job_id": "7"}},
		{ID: "2-0", Fields: map[string]string{"type": "claimed", "note": "line\nbreak \"q\""}},
	}
	var buf bytes.Buffer
	for _, e := range in {
		if err := EncodeJSONL(&buf, e); err != nil {
			t.Fatal(err)
		}
	}
	var out []Entry
	for e, err := range DecodeJSONL(&buf) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	if len(out) != len(in) {
		t.Fatalf("decoded %d entries, want %d", len(out), len(in))
	}
	for i := range in {
		if out[i].ID != in[i].ID || out[i].Fields["type"] != in[i].Fields["type"] ||
			out[i].Fields["note"] != in[i].Fields["note"] {
			t.Errorf("entry %d = %+v, want %+v", i, out[i], in[i])
		}
	}
}

func TestDecodeJSONLReportsBadLine(t *testing.T) {
	src := "{\"id\":\"1-0\",\"fields\":{}}\n\n{not json}\n"
	var n int
	var last error
	for _, err := range DecodeJSONL(strings.NewReader(src)) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	if n != 1 || last == nil || !strings.Contains(last.Error(), "line 3") {
		t.Fatalf("got %d entries and error %v; want 1 entry then an error naming line 3", n, last)
	}
}

func TestArgsSorted(t *testing.T) {
	e := Entry{Fields: map[string]string{"b": "2", "a": "1"}}
	got := e.Args()
	if len(got) != 4 || got[0] != "a" || got[2] != "b" {
		t.Fatalf("Args() = %v, want a before b", got)
	}
}
