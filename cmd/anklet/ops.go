package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sort"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/streams"
)

func init() {
	subcommands["dump"] = dumpCmd
	subcommands["import"] = importCmd
	subcommands["replay"] = replayCmd
	subcommands["jobs"] = jobsCmd
	subcommands["job"] = jobCmd
	subcommands["queues"] = queuesCmd
}

// opsTimeout bounds one operator command against Redis.
const opsTimeout = 2 * time.Minute

// opsFlags are the flags the Redis-reading subcommands share: the config
// file (for the database and the queue names) and the queue.
type opsFlags struct {
	fs     *flag.FlagSet
	config *string
	queue  *string
}

func newOpsFlags(name string, stderr io.Writer) *opsFlags {
	fs := flag.NewFlagSet("anklet "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &opsFlags{
		fs:     fs,
		config: fs.String("c", "", "config `file` (default "+config.DefaultPath()+")"),
		queue:  fs.String("queue", "", "queue `name` (default: the only queue of the config)"),
	}
}

// target is one queue of the configuration and a client of its database.
type target struct {
	keys streams.Keys
	rdb  redis.UniversalClient
}

// targets resolves the queues the command works on: the one named by
// -queue, or every queue of the config when all is true, or else the only
// one. Each comes with a client of the database its first plugin uses.
func (o *opsFlags) targets(environ []string, all bool) ([]target, error) {
	path := *o.config
	if path == "" {
		path = config.DefaultPath()
	}
	cfg, err := config.Load(path, environ)
	if err != nil {
		return nil, err
	}
	var out []target
	seen := map[string]bool{}
	for _, p := range cfg.Plugins {
		q := p.Queue()
		if seen[q] || (*o.queue != "" && q != *o.queue) {
			continue
		}
		keys, err := streams.KeysFor(q)
		if err != nil {
			return nil, err
		}
		seen[q] = true
		out = append(out, target{keys: keys, rdb: p.Database.Client()})
	}
	switch {
	case len(out) == 0 && *o.queue != "":
		return nil, fmt.Errorf("no plugin of %s uses queue %q", path, *o.queue)
	case len(out) == 0:
		return nil, fmt.Errorf("%s configures no plugin, so no queue", path)
	case len(out) > 1 && !all:
		closeTargets(out)
		return nil, fmt.Errorf("%s has %d queues: name one with -queue", path, len(out))
	}
	return out, nil
}

func closeTargets(ts []target) {
	for _, t := range ts {
		_ = t.rdb.Close()
	}
}

// opsContext is cancelled by SIGINT/SIGTERM or after opsTimeout.
func opsContext() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, opsTimeout)
	return ctx, func() { cancel(); stop() }
}

// fail prints err for subcommand name and returns the exit code.
func fail(stderr io.Writer, name string, err error) int {
	var problems config.Problems
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Fprintln(stderr, "config:", p)
		}
		return exitUsage
	}
	fmt.Fprintf(stderr, "anklet %s: %v\n", name, err)
	return exitFailed
}

// streamOf maps a -stream value to the queue's key.
func streamOf(k streams.Keys, name string) (string, error) {
	switch name {
	case "events":
		return k.Events(), nil
	case "jobs":
		return k.Jobs(), nil
	case "dead":
		return k.Dead(), nil
	}
	return "", fmt.Errorf("unknown stream %q: use events, jobs or dead", name)
}

// dumpCmd writes a stream as JSON lines: anklet dump [-stream events] [-o FILE].
func dumpCmd(args, environ []string, stdout, stderr io.Writer) int {
	o := newOpsFlags("dump", stderr)
	which := o.fs.String("stream", "events", "stream to dump: events, jobs or dead")
	out := o.fs.String("o", "", "write to `file` instead of standard output")
	if o.fs.Parse(args) != nil || o.fs.NArg() > 0 {
		return exitUsage
	}
	ts, err := o.targets(environ, false)
	if err != nil {
		return fail(stderr, "dump", err)
	}
	defer closeTargets(ts)
	stream, err := streamOf(ts[0].keys, *which)
	if err != nil {
		return fail(stderr, "dump", err)
	}

	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fail(stderr, "dump", err)
		}
		defer f.Close()
		w = f
	}
	ctx, cancel := opsContext()
	defer cancel()
	n, err := streams.Export(ctx, ts[0].rdb, stream, w)
	if err != nil {
		return fail(stderr, "dump", err)
	}
	fmt.Fprintf(stderr, "anklet dump: %d entries of %s\n", n, stream)
	return exitOK
}

// importCmd appends a JSON-lines dump to a stream, keeping the ids:
// anklet import [-stream events] FILE.
func importCmd(args, environ []string, stdout, stderr io.Writer) int {
	o := newOpsFlags("import", stderr)
	which := o.fs.String("stream", "events", "stream to append to: events, jobs or dead")
	if o.fs.Parse(args) != nil || o.fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: anklet import [-c FILE] [-queue Q] [-stream S] FILE")
		return exitUsage
	}
	ts, err := o.targets(environ, false)
	if err != nil {
		return fail(stderr, "import", err)
	}
	defer closeTargets(ts)
	stream, err := streamOf(ts[0].keys, *which)
	if err != nil {
		return fail(stderr, "import", err)
	}
	f, err := os.Open(o.fs.Arg(0))
	if err != nil {
		return fail(stderr, "import", err)
	}
	defer f.Close()

	ctx, cancel := opsContext()
	defer cancel()
	n, err := streams.Import(ctx, ts[0].rdb, stream, f)
	if err != nil {
		return fail(stderr, "import", fmt.Errorf("after %d entries: %w", n, err))
	}
	fmt.Fprintf(stdout, "imported %d entries into %s\n", n, stream)
	return exitOK
}

// replayCmd folds recorded event logs offline and prints each job's final
// state: anklet replay FILE...
func replayCmd(args, _ []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("anklet replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if fs.Parse(args) != nil || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: anklet replay FILE...  (event logs written by anklet dump)")
		return exitUsage
	}
	code := exitOK
	for _, path := range fs.Args() {
		f, err := os.Open(path)
		if err != nil {
			code = fail(stderr, "replay", err)
			continue
		}
		jobs, err := engine.ReplayJSONL(f)
		f.Close()
		if err != nil {
			code = fail(stderr, "replay", fmt.Errorf("%s: %w", path, err))
			continue
		}
		if len(fs.Args()) > 1 {
			fmt.Fprintf(stdout, "%s:\n", path)
		}
		printJobs(stdout, jobs, true)
	}
	return code
}

// printJobs prints one line per job, by job id; with all false only the
// unfinished ones.
func printJobs(w io.Writer, jobs map[int64]engine.Job, all bool) {
	ids := make([]int64, 0, len(jobs))
	for id, j := range jobs {
		if all || !j.State.Terminal() {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tRUN\tSTATE\tVERSION\tATTEMPT\tRUNNER\tHOST\tCONCLUSION\tREASON")
	for _, id := range ids {
		j := jobs[id]
		fmt.Fprintf(tw, "%d\t%d\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", j.ID, j.RunID, j.State,
			j.Version, j.Attempt, dash(j.Runner), dash(j.Host), dash(j.Conclusion), dash(j.Reason))
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// jobsCmd lists the jobs of a queue from its event log: anklet jobs [-all].
func jobsCmd(args, environ []string, stdout, stderr io.Writer) int {
	o := newOpsFlags("jobs", stderr)
	all := o.fs.Bool("all", false, "also list finished jobs")
	if o.fs.Parse(args) != nil || o.fs.NArg() > 0 {
		return exitUsage
	}
	ts, err := o.targets(environ, false)
	if err != nil {
		return fail(stderr, "jobs", err)
	}
	defer closeTargets(ts)

	ctx, cancel := opsContext()
	defer cancel()
	var events []engine.Event
	for entry, err := range streams.Range(ctx, ts[0].rdb, ts[0].keys.Events(), "-", "+", 0) {
		if err != nil {
			return fail(stderr, "jobs", err)
		}
		e, err := engine.ParseEvent(entry)
		if err != nil {
			return fail(stderr, "jobs", err)
		}
		events = append(events, e)
	}
	jobs, err := engine.Reduce(events)
	if err != nil {
		return fail(stderr, "jobs", err)
	}
	printJobs(stdout, jobs, *all)
	return exitOK
}

// jobCmd prints one job's projection and its events: anklet job ID.
func jobCmd(args, environ []string, stdout, stderr io.Writer) int {
	o := newOpsFlags("job", stderr)
	if o.fs.Parse(args) != nil || o.fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: anklet job [-c FILE] [-queue Q] JOB_ID")
		return exitUsage
	}
	var id int64
	if _, err := fmt.Sscan(o.fs.Arg(0), &id); err != nil || id <= 0 {
		fmt.Fprintf(stderr, "anklet job: %q is not a job id\n", o.fs.Arg(0))
		return exitUsage
	}
	ts, err := o.targets(environ, false)
	if err != nil {
		return fail(stderr, "job", err)
	}
	defer closeTargets(ts)
	// The store only reads here; host and plugin name the writer of events.
	store, err := engine.NewStore(ts[0].rdb, ts[0].keys.Queue(), "ops", "anklet-job")
	if err != nil {
		return fail(stderr, "job", err)
	}

	ctx, cancel := opsContext()
	defer cancel()
	job, err := store.Get(ctx, id)
	if err != nil {
		return fail(stderr, "job", err)
	}
	history, err := store.History(ctx, id)
	if err != nil {
		return fail(stderr, "job", err)
	}
	printJobs(stdout, map[int64]engine.Job{id: job}, true)
	fmt.Fprintf(stdout, "work entry: %s\n\n", dash(job.WorkID))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAT\tTYPE\tVERSION\tHOST\tPLUGIN\tDETAILS")
	for _, e := range history {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", e.ID, e.At.Format(time.RFC3339Nano),
			e.Type, e.Version, dash(e.Host), dash(e.Plugin), attrs(e.Attrs))
	}
	tw.Flush()
	return exitOK
}

func attrs(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := ""
	for _, k := range keys {
		if s != "" {
			s += " "
		}
		s += k + "=" + m[k]
	}
	return dash(s)
}

// queuesCmd prints each queue's work stream figures, as XINFO shows them:
// anklet queues.
func queuesCmd(args, environ []string, stdout, stderr io.Writer) int {
	o := newOpsFlags("queues", stderr)
	if o.fs.Parse(args) != nil || o.fs.NArg() > 0 {
		return exitUsage
	}
	ts, err := o.targets(environ, true)
	if err != nil {
		return fail(stderr, "queues", err)
	}
	defer closeTargets(ts)

	ctx, cancel := opsContext()
	defer cancel()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "QUEUE\tLENGTH\tPENDING\tLAG\tCONSUMERS\tOLDEST PENDING\tDEAD\tEVENTS")
	for _, t := range ts {
		st, err := streams.GroupInfo(ctx, t.rdb, t.keys.Jobs(), streams.Group)
		if err != nil && !errors.Is(err, streams.ErrNoGroup) {
			return fail(stderr, "queues", err)
		}
		dead, err := t.rdb.XLen(ctx, t.keys.Dead()).Result()
		if err != nil {
			return fail(stderr, "queues", err)
		}
		events, err := t.rdb.XLen(ctx, t.keys.Events()).Result()
		if err != nil {
			return fail(stderr, "queues", err)
		}
		lag := "?"
		if st.Lag >= 0 {
			lag = fmt.Sprint(st.Lag)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%s\t%d\t%d\n", t.keys.Queue(), st.Length, st.Pending,
			lag, st.Consumers, dash(st.OldestPendingID), dead, events)
	}
	tw.Flush()
	return exitOK
}
