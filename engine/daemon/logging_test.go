package daemon

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine/config"
)

func TestParseLevel(t *testing.T) {
	cases := []struct {
		in    string
		level zerolog.Level
		dev   bool
	}{
		{"", zerolog.InfoLevel, false}, {"INFO", zerolog.InfoLevel, false},
		{"debug", zerolog.DebugLevel, false}, {"ERROR", zerolog.ErrorLevel, false},
		{"WARN", zerolog.WarnLevel, false}, {"dev", zerolog.DebugLevel, true},
		{"DEBUG-PRETTY", zerolog.DebugLevel, true},
	}
	for _, tc := range cases {
		level, dev, err := ParseLevel(tc.in)
		if err != nil || level != tc.level || dev != tc.dev {
			t.Errorf("ParseLevel(%q) = %v, %v, %v", tc.in, level, dev, err)
		}
	}
	if _, _, err := ParseLevel("LOUD"); err == nil || !strings.Contains(err.Error(), "LOUD") {
		t.Errorf("ParseLevel(LOUD) = %v, want an error naming the value", err)
	}
}

func setupTestLogging(t *testing.T, cfg *config.Config, level string) (*Logging, *syncBuffer) {
	t.Helper()
	stdout := &syncBuffer{}
	l, err := SetupLogging(cfg, LogOptions{Version: "1.2.3", Level: level, Stdout: stdout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, stdout
}

func TestLoggingFieldsAndOutputs(t *testing.T) {
	dir := t.TempDir()
	cfg := &config.Config{Log: config.Log{FileDir: dir}}
	l, stdout := setupTestLogging(t, cfg, "INFO")

	l.Logger.Debug().Msg("hidden at INFO")
	plog, err := l.ForPlugin(config.Plugin{Name: "h1", Kind: "github", Owner: "acme", Repo: "app"})
	if err != nil {
		t.Fatal(err)
	}
	plog.Info().Msg("claimed job")

	file := readFile(t, filepath.Join(dir, "anklet.log"))
	if strings.TrimSpace(stdout.String()) != file {
		t.Fatalf("stdout and file differ:\n%s\n---\n%s", stdout.String(), file)
	}
	if strings.Contains(file, "hidden at INFO") {
		t.Error("a DEBUG line was written at INFO")
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(file), &line); err != nil {
		t.Fatalf("not one JSON line: %v\n%s", err, file)
	}
	want := map[string]any{"level": "info", "msg": "claimed job", "ankletVersion": "1.2.3",
		"pluginName": "h1", "plugin": "github", "owner": "acme", "repo": "app"}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v", k, line[k], v)
		}
	}
	if _, ok := line["time"].(string); !ok {
		t.Errorf("no time field: %v", line)
	}
}

func TestLoggingSplitByPlugin(t *testing.T) {
	dir := t.TempDir()
	cfg := &config.Config{Log: config.Log{FileDir: dir, SplitByPlugin: true}}
	l, stdout := setupTestLogging(t, cfg, "INFO")
	plog, err := l.ForPlugin(config.Plugin{Name: "h1", Kind: "github"})
	if err != nil {
		t.Fatal(err)
	}
	plog.Debug().Msg("debug detail")
	plog.Info().Msg("info line")

	own := readFile(t, filepath.Join(dir, "anklet-h1.log"))
	if !strings.Contains(own, "debug detail") || !strings.Contains(own, "info line") {
		t.Errorf("plugin file lacks a line:\n%s", own)
	}
	main := readFile(t, filepath.Join(dir, "anklet.log"))
	if strings.Contains(main, "debug detail") || strings.Contains(stdout.String(), "debug detail") {
		t.Error("the DEBUG line reached the main outputs at INFO")
	}
	if !strings.Contains(main, "info line") {
		t.Error("the INFO line is missing from anklet.log")
	}
}

func TestLoggingDevConsole(t *testing.T) {
	dir := t.TempDir()
	l, stdout := setupTestLogging(t, &config.Config{Log: config.Log{FileDir: dir}}, "dev")
	l.Logger.Debug().Str("job_id", "42").Msg("human readable")
	out := stdout.String()
	if strings.HasPrefix(out, "{") || !strings.Contains(out, "human readable") ||
		!strings.Contains(out, "job_id=") {
		t.Errorf("console output is not the human format: %q", out)
	}
	if !strings.HasPrefix(readFile(t, filepath.Join(dir, "anklet.log")), "{") {
		t.Error("the file is not JSON in dev mode")
	}
}

func TestLoggingMissingDirectory(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	_, err := SetupLogging(&config.Config{Log: config.Log{FileDir: missing}},
		LogOptions{Stdout: &bytes.Buffer{}})
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("err = %v, want one naming the directory", err)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("the directory was created")
	}
}
