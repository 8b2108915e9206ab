package anka

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

func TestParseEnvelope(t *testing.T) {
	cases := []struct {
		name, out string
		status    string
		code      int
		wantErr   bool
	}{
		{"ok", `{"status":"OK","body":{},"message":"","code":0}`, "OK", 0, false},
		{"error", `{"status":"ERROR","body":{},"message":"x: not found","code":3,` +
			`"exception_type":"AnkaVMNotFoundException"}`, "ERROR", 3, false},
		{"progress first", "{\"p\":0.1}\n{\"p\":0.62}\n{\"status\":\"OK\",\"body\":{}}",
			"OK", 0, false},
		{"trailing newline and blanks", "{\"status\":\"OK\"}\n\n  \n", "OK", 0, false},
		{"chatter first", "warning: slow disk\r\n{\"status\":\"OK\"}", "OK", 0, false},
		{"empty", "", "", 0, true},
		{"blank lines", "\n \n", "", 0, true},
		{"not json", "Segmentation fault", "", 0, true},
		{"json without status", `{"body":{}}`, "", 0, true},
		{"truncated", `{"status":"OK","body":{`, "", 0, true},
	}
	for _, tc := range cases {
		env, err := parseEnvelope([]byte(tc.out))
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: err = %v, wantErr %v", tc.name, err, tc.wantErr)
			continue
		}
		if env.Status != tc.status || env.Code != tc.code {
			t.Errorf("%s: got %+v", tc.name, env)
		}
	}
}

func TestProgressWriterSplitsAcrossWrites(t *testing.T) {
	var logs bytes.Buffer
	c := New(Options{Logger: zerolog.New(&logs).Level(zerolog.DebugLevel)})
	next := &tailBuffer{max: 1 << 10}
	w := c.progressWriter(call{op: "registry pull", vm: "t"}, next)

	out := "{\"p\":0.25}\n{\"p\":0.5}\nplain line\n{\"p\": 1}\n{\"status\":\"OK\",\"body\":{}}"
	for i := 0; i < len(out); i += 3 {
		w.Write([]byte(out[i:min(i+3, len(out))]))
	}
	w.Flush()

	if got := string(next.Bytes()); got != "plain line\n{\"status\":\"OK\",\"body\":{}}" {
		t.Fatalf("passed on %q", got)
	}
	if n := strings.Count(logs.String(), `"message":"anka: progress"`); n != 3 {
		t.Fatalf("logged %d progress lines, want 3:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), `"progress":0.25`) {
		t.Fatalf("progress value missing:\n%s", logs.String())
	}
}

func TestTailBuffer(t *testing.T) {
	b := &tailBuffer{max: 5}
	b.Write([]byte("abc"))
	if b.Truncated() || string(b.Bytes()) != "abc" {
		t.Fatalf("got %q, truncated %v", b.Bytes(), b.Truncated())
	}
	b.Write([]byte("defg"))
	if !b.Truncated() || string(b.Bytes()) != "cdefg" {
		t.Fatalf("got %q, truncated %v", b.Bytes(), b.Truncated())
	}
}

func TestFieldTypes(t *testing.T) {
	var v struct {
		Build text      `json:"build"`
		RAM   size      `json:"ram"`
		RAM2  size      `json:"ram_size"`
		At    timestamp `json:"at"`
	}
	in := `{"build":215,"ram":"4294967296","ram_size":4294967296,"at":"2021-11-15T18:00:41Z"}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if v.Build != "215" || v.RAM != 4294967296 || v.RAM2 != 4294967296 {
		t.Fatalf("got %+v", v)
	}
	for _, bad := range []string{
		`{"build":{}}`, `{"ram":-1}`, `{"ram":"lots"}`, `{"ram":1.5}`, `{"at":"yesterday"}`,
		`{"at":5}`,
	} {
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%s decoded without error", bad)
		}
	}
}
