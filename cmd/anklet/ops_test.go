package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/streams"
	"github.com/anklet/anklet/streams/redistest"
)

// opsSetup writes a config with one handler on queue "acme" pointing at a
// private Redis, and records two jobs there: 11 completed, 12 claimed.
func opsSetup(t *testing.T) (cfgPath string, env []string, store *engine.Store) {
	t.Helper()
	ctx := context.Background()
	r := redistest.Start(t)
	dir := t.TempDir()
	cfgPath = opsConfig(t, dir, r)
	env = []string{"HOME=" + dir}

	rdb := r.Client()
	keys := streams.MustKeysFor("acme")
	if err := streams.EnsureGroup(ctx, rdb, keys.Jobs(), streams.Group, "0"); err != nil {
		t.Fatal(err)
	}
	store, err := engine.NewStore(rdb, "acme", "mac-a", "mac-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{11, 12} {
		if _, _, err := store.Enqueue(ctx, engine.JobSpec{ID: id, RunID: 100 + id,
			Owner: "acme", Repo: "app", Labels: []string{"anka-template:t1"}}); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := streams.NewConsumer(rdb, keys.Jobs(), streams.Group, "mac-a:mac-1",
		streams.ConsumerOptions{Block: -1}).Read(ctx, 2)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("read = %d messages, %v", len(msgs), err)
	}
	for _, m := range msgs {
		var id int64
		fmt.Sscan(m.Fields["job_id"], &id)
		if _, err := store.Claim(ctx, id, m.ID, "mac-a:mac-1"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.Transition(ctx, 11, engine.Expect{}, engine.Event{
		Type: engine.EventCompleted, Attrs: map[string]string{"conclusion": "success"}}); err != nil {
		t.Fatal(err)
	}
	return cfgPath, env, store
}

// opsConfig writes dir/config.yml with one handler on queue "acme" using
// the Redis r, and returns its path.
func opsConfig(t *testing.T, dir string, r *redistest.Server) string {
	t.Helper()
	path := filepath.Join(dir, "config.yml")
	writeFile(t, path, fmt.Sprintf(`global_database_url: 127.0.0.1
global_database_port: %d
plugins:
  - name: mac-1
    plugin: github
    owner: acme
    token: ghp_x
`, r.Port()))
	return path
}

func runOps(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, env, &out, &errb)
	return code, out.String(), errb.String()
}

func TestJobsListsUnfinishedJobsAndAllWithFlag(t *testing.T) {
	cfg, env, _ := opsSetup(t)

	code, out, errs := runOps(t, env, "jobs", "-c", cfg)
	if code != 0 {
		t.Fatalf("jobs: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "12") || !strings.Contains(out, "claimed") ||
		strings.Contains(out, "completed") {
		t.Errorf("jobs output should list only job 12 (claimed):\n%s", out)
	}

	_, out, _ = runOps(t, env, "jobs", "-c", cfg, "-all")
	if !strings.Contains(out, "completed") || !strings.Contains(out, "success") {
		t.Errorf("jobs -all should list job 11 completed/success:\n%s", out)
	}
}

func TestJobShowsProjectionAndHistory(t *testing.T) {
	cfg, env, _ := opsSetup(t)
	code, out, errs := runOps(t, env, "job", "-c", cfg, "11")
	if code != 0 {
		t.Fatalf("job: exit %d: %s", code, errs)
	}
	for _, want := range []string{"queued", "claimed", "completed", "conclusion=success",
		"consumer=mac-a:mac-1"} {
		if !strings.Contains(out, want) {
			t.Errorf("job output lacks %q:\n%s", want, out)
		}
	}
	if code, _, errs := runOps(t, env, "job", "-c", cfg, "999"); code == 0 ||
		!strings.Contains(errs, "not found") {
		t.Errorf("job 999: exit %d, stderr %q; want a not-found failure", code, errs)
	}
}

func TestQueuesReportsPendingAndLength(t *testing.T) {
	cfg, env, _ := opsSetup(t)
	code, out, errs := runOps(t, env, "queues", "-c", cfg)
	if code != 0 {
		t.Fatalf("queues: exit %d: %s", code, errs)
	}
	// Two work entries, one still pending (job 12), five events.
	fields := strings.Fields(strings.Split(strings.TrimSpace(out), "\n")[1])
	if fields[0] != "acme" || fields[1] != "2" || fields[2] != "1" || fields[7] != "5" {
		t.Errorf("queues row = %v, want acme length 2 pending 1 … events 5\n%s", fields, out)
	}
}

func TestDumpReplayAndImportRoundTrip(t *testing.T) {
	cfg, env, store := opsSetup(t)
	dump := filepath.Join(t.TempDir(), "events.jsonl")
	if code, _, errs := runOps(t, env, "dump", "-c", cfg, "-o", dump); code != 0 {
		t.Fatalf("dump: exit %d: %s", code, errs)
	}

	code, out, errs := runOps(t, env, "replay", dump)
	if code != 0 {
		t.Fatalf("replay: exit %d: %s", code, errs)
	}
	live, err := store.Get(context.Background(), 12)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "completed") || !strings.Contains(out, string(live.State)) {
		t.Errorf("replay output does not match the live states:\n%s", out)
	}

	// Importing the same ids again is refused: they are not above the top id.
	if code, _, errs := runOps(t, env, "import", "-c", cfg, dump); code == 0 ||
		!strings.Contains(errs, "line 1") {
		t.Errorf("re-import: exit %d, stderr %q; want a refusal naming line 1", code, errs)
	}

	// Imported into an empty Redis, the dump keeps its ids: dumping that
	// Redis gives the same lines.
	cfg2 := opsConfig(t, t.TempDir(), redistest.Start(t))
	if code, _, errs := runOps(t, env, "import", "-c", cfg2, dump); code != 0 {
		t.Fatalf("import into an empty Redis: exit %d: %s", code, errs)
	}
	dump2 := filepath.Join(t.TempDir(), "events.jsonl")
	if code, _, errs := runOps(t, env, "dump", "-c", cfg2, "-o", dump2); code != 0 {
		t.Fatalf("dump after import: exit %d: %s", code, errs)
	}
	if a, b := readFile(t, dump), readFile(t, dump2); a != b || a == "" {
		t.Errorf("dump after import differs:\n%s\nwant:\n%s", b, a)
	}
}

func TestReplayRejectsAnIllegalLog(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "streams", "illegal_claim_after_completion.jsonl")
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runOps(t, nil, "replay", path)
	if code == 0 || !strings.Contains(errs, "illegal transition") {
		t.Errorf("replay of an illegal log: exit %d, stderr %q", code, errs)
	}
}

func TestOpsNeedAQueueWhenTheConfigHasSeveral(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yml")
	writeFile(t, cfg, `plugins:
  - {name: a, plugin: github, owner: acme, token: x}
  - {name: b, plugin: github, owner: other, token: x}
`)
	code, _, errs := runOps(t, []string{"HOME=" + dir}, "jobs", "-c", cfg)
	if code == 0 || !strings.Contains(errs, "-queue") {
		t.Errorf("exit %d, stderr %q; want a request to name a queue", code, errs)
	}
}
