package anka_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/anklet/anklet/anka"
	"github.com/anklet/anklet/anka/ankatest"
)

func TestTimeoutKillsSlowCall(t *testing.T) {
	b := setup(t)
	cloned(t, b, "vm")
	b.host.SetDelay("start", time.Minute)

	ctx, cancel := context.WithTimeout(ctxFor(t), 300*time.Millisecond)
	defer cancel()
	began := time.Now()
	err := b.cli.Start(ctx, "vm")
	if !errors.Is(err, anka.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow Start = %v, want ErrTimeout", err)
	}
	var ae *anka.Error
	if !errors.As(err, &ae) || ae.Op != "start" || ae.VM != "vm" || ae.ExitCode != -1 {
		t.Fatalf("slow Start error = %#v", err)
	}
	if took := time.Since(began); took > 20*time.Second {
		t.Fatalf("slow Start took %s; the call was not killed", took)
	}
	if r := b.host.Running(); len(r) != 0 {
		t.Fatalf("a killed start left running VMs: %v", r)
	}
}

func TestOptionsTimeout(t *testing.T) {
	b := setup(t, func(o *anka.Options) { o.Timeout = 200 * time.Millisecond })
	b.host.SetDelay("list", time.Minute)
	if _, err := b.cli.List(ctxFor(t)); !errors.Is(err, anka.ErrTimeout) {
		t.Fatalf("slow List = %v, want ErrTimeout", err)
	}
}

func TestInjectedFaults(t *testing.T) {
	b := setup(t)
	ctx := ctxFor(t)
	cloned(t, b, "vm")

	b.host.SetFault("start", ankatest.Fault{ExitCode: 4, Code: 77, Message: "disk full", Times: 2})
	for i := 0; i < 2; i++ {
		err := b.cli.Start(ctx, "vm")
		var ae *anka.Error
		if !errors.As(err, &ae) || ae.Code != 77 || ae.ExitCode != 4 || ae.Message != "disk full" {
			t.Fatalf("Start %d = %v, want the injected fault", i, err)
		}
		for _, s := range []error{anka.ErrNotFound, anka.ErrExists, anka.ErrMaxRunning, anka.ErrTimeout} {
			if errors.Is(err, s) {
				t.Fatalf("fault matches %v", s)
			}
		}
	}
	if err := b.cli.Start(ctx, "vm"); err != nil {
		t.Fatalf("Start after the fault ran out: %v", err)
	}

	b.host.SetFault("show", ankatest.Fault{Code: 3, Message: "vm: not found"})
	if _, err := b.cli.Show(ctx, "vm"); !errors.Is(err, anka.ErrNotFound) {
		t.Fatalf("Show with code 3 = %v, want ErrNotFound", err)
	}
	b.host.ClearFault("show")
	if _, err := b.cli.Show(ctx, "vm"); err != nil {
		t.Fatalf("Show after ClearFault: %v", err)
	}
}

// Output of the wrong shape is an error, never a panic and never a success.
func TestUnexpectedOutput(t *testing.T) {
	cases := []struct {
		op   string
		raw  string
		exit int
		call func(b bundle, ctx context.Context) error
	}{
		{"version", `{"status":"OK","body":[1,2]}`, 0, func(b bundle, ctx context.Context) error {
			_, err := b.cli.Version(ctx)
			return err
		}},
		{"version", `{"status":"OK","body":{"product":"x"}}`, 0,
			func(b bundle, ctx context.Context) error {
				_, err := b.cli.Version(ctx)
				return err
			}},
		{"license", `{"status":"OK","body":"valid"}`, 0, func(b bundle, ctx context.Context) error {
			_, err := b.cli.License(ctx)
			return err
		}},
		{"list", `{"status":"OK","body":{"name":"x"}}`, 0, func(b bundle, ctx context.Context) error {
			_, err := b.cli.List(ctx)
			return err
		}},
		{"list", `{"status":"OK","body":[{"name":7}]}`, 0, func(b bundle, ctx context.Context) error {
			_, err := b.cli.ListRunning(ctx)
			return err
		}},
		{"show", `{"status":"OK","body":{"name":"vm","cpu_cores":"four"}}`, 0,
			func(b bundle, ctx context.Context) error {
				_, err := b.cli.Show(ctx, "vm")
				return err
			}},
		{"show", `{"status":"OK","body":{}}`, 0, func(b bundle, ctx context.Context) error {
			_, err := b.cli.Show(ctx, "vm")
			return err
		}},
		{"pull", `{"status":"OK","body":{"cached":1}}`, 0, func(b bundle, ctx context.Context) error {
			_, err := b.cli.CheckDownloadSize(ctx, tmplUUID, "", "")
			return err
		}},
		{"registry list", `{"status":"OK","body":{"a":1}}`, 0, func(b bundle, ctx context.Context) error {
			_, err := b.cli.RegistryList(ctx, "")
			return err
		}},
		{"clone", "not json at all", 0, func(b bundle, ctx context.Context) error {
			return b.cli.Clone(ctx, tmplUUID, "x", "")
		}},
		{"clone", "\n", 0, func(b bundle, ctx context.Context) error {
			return b.cli.Clone(ctx, tmplUUID, "x", "")
		}},
		{"start", `{"status":"MAYBE","body":{}}`, 0, func(b bundle, ctx context.Context) error {
			return b.cli.Start(ctx, "vm")
		}},
	}
	b := setup(t)
	ctx := ctxFor(t)
	for i, tc := range cases {
		b.host.SetFault(tc.op, ankatest.Fault{Raw: tc.raw, ExitCode: tc.exit, Times: 1})
		err := tc.call(b, ctx)
		if !errors.Is(err, anka.ErrBadOutput) {
			t.Errorf("case %d (%s %q): err = %v, want ErrBadOutput", i, tc.op, tc.raw, err)
		}
	}

	// Garbage with a failing exit status is still a failure, with the text.
	b.host.SetFault("stop", ankatest.Fault{Raw: "segmentation fault", ExitCode: 139, Times: 1})
	err := b.cli.Stop(ctx, "vm", false)
	var ae *anka.Error
	if !errors.As(err, &ae) || ae.ExitCode != 139 || !strings.Contains(ae.Message, "segmentation") {
		t.Fatalf("Stop with garbage = %v", err)
	}
}

func TestEmptyRunningListIsZeroVMs(t *testing.T) {
	b := setup(t)
	ctx := ctxFor(t)
	for _, raw := range []string{`{"status":"OK","body":{}}`, `{"status":"OK","body":null}`} {
		b.host.SetFault("list", ankatest.Fault{Raw: raw, Times: 1})
		vms, err := b.cli.ListRunning(ctx)
		if err != nil || len(vms) != 0 {
			t.Fatalf("ListRunning(%s) = %v, %v", raw, vms, err)
		}
	}
}

// A call still running logs the subcommand and VM, never the argv.
func TestStillRunningLogsNoArgv(t *testing.T) {
	b := setup(t, func(o *anka.Options) { o.ProgressInterval = 20 * time.Millisecond })
	cloned(t, b, "anklet-vm-slow")
	b.host.SetDelay("run", 300*time.Millisecond)
	secretCmd := "./register-runner.bash do-not-log-this"

	if _, err := b.cli.Run(ctxFor(t), "anklet-vm-slow", map[string]string{"T": "v"},
		"bash", "-c", "true || "+secretCmd); err != nil {
		t.Fatal(err)
	}
	logs := b.logs.String()
	if !strings.Contains(logs, `"message":"anka: still running"`) ||
		!strings.Contains(logs, `"vm":"anklet-vm-slow"`) || !strings.Contains(logs, `"op":"run"`) {
		t.Fatalf("no still-running line with op and vm:\n%s", logs)
	}
	if strings.Contains(logs, "do-not-log-this") || strings.Contains(logs, "anklet-env-") {
		t.Fatalf("argv reached the log:\n%s", logs)
	}
}
