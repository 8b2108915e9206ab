package faults

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// outputs are the stdout and stderr files of the world's processes.
func (w *world) outputs() []string {
	files := []string{filepath.Join(w.dir, "receiver", "out.txt")}
	for _, h := range w.hosts {
		files = append(files, filepath.Join(h.dir, "out.txt"))
	}
	return files
}

// checkRaces fails the test when a process built with the race detector
// reported a data race.
func (w *world) checkRaces() {
	for _, f := range w.outputs() {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if i := strings.Index(string(b), "WARNING: DATA RACE"); i >= 0 {
			w.t.Errorf("%s reported a data race:\n%s", f, b[i:min(len(b), i+6000)])
		}
	}
}

// dumpLogs shows the end of every process's log, for a failed test.
func (w *world) dumpLogs() {
	for _, f := range append(w.processLogs(), w.outputs()...) {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		lines = lines[max(0, len(lines)-40):]
		w.t.Logf("--- last lines of %s:\n%s", f, strings.Join(lines, "\n"))
	}
}

// logLine is one JSON line of an anklet log file.
type logLine struct {
	Time     time.Time `json:"time"`
	Msg      string    `json:"msg"`
	JobID    int64     `json:"job_id"`
	LostHost string    `json:"lost_host"`
	Limit    string    `json:"limit"`
}

// processLogs are the log files of the world's processes.
func (w *world) processLogs() []string {
	files := []string{w.receiverLog}
	for _, h := range w.hosts {
		files = append(files, h.logPath())
	}
	return files
}

// allLogLines returns the lines with message msg of every process's log.
func (w *world) allLogLines(msg string) []logLine {
	var out []logLine
	for _, f := range w.processLogs() {
		out = append(out, logLines(f, msg)...)
	}
	return out
}

// logLines returns the lines of the log file at path whose message is msg.
func logLines(path, msg string) []logLine {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []logLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		var l logLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == msg {
			out = append(out, l)
		}
	}
	return out
}
