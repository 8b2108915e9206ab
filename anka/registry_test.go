package anka_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anklet/anklet/anka"
	"github.com/anklet/anklet/anka/ankatest"
)

const regUUID = "5d4c5d5e-0000-4000-8000-00000000abcd"

func TestRegistryQueries(t *testing.T) {
	b := setup(t)
	ctx := ctxFor(t)
	b.host.AddRegistryTemplate(ankatest.Template{
		UUID: regUUID, Name: "sonoma", Tags: []string{"v1", "v2"}, CPU: 6, RAM: 12 << 30,
		ImageSize: 30 << 30,
	})

	list, err := b.cli.RegistryList(ctx, "http://registry.test:8089")
	if err != nil || len(list) != 1 || list[0] != (anka.RegistryTemplate{
		UUID: regUUID, Name: "sonoma", Latest: "v2",
	}) {
		t.Fatalf("RegistryList = %+v, %v", list, err)
	}
	repos, err := b.cli.RegistryListRepos(ctx)
	if err != nil || len(repos) != 1 || !repos[0].Default || repos[0].URL == "" {
		t.Fatalf("RegistryListRepos = %+v, %v", repos, err)
	}

	info, err := b.cli.RegistryShow(ctx, "", regUUID, "v1")
	if err != nil || info.Name != "sonoma" || info.Tag != "v1" || info.CPUCores != 6 ||
		info.RAMSize != 12<<30 || info.ImageSize != 30<<30 {
		t.Fatalf("RegistryShow = %+v, %v", info, err)
	}
	if _, err := b.cli.RegistryShow(ctx, "", regUUID, "v9"); !errors.Is(err, anka.ErrNotFound) {
		t.Fatalf("RegistryShow of missing tag = %v, want ErrNotFound", err)
	}

	size, err := b.cli.CheckDownloadSize(ctx, regUUID, "v1", "http://registry.test:8089")
	if err != nil || size.Local || size.Size != 30<<30 || size.Available == 0 {
		t.Fatalf("CheckDownloadSize = %+v, %v", size, err)
	}
	if !size.Fits(10<<30) || size.Fits(size.Available) {
		t.Fatalf("Fits gives wrong answers for %+v", size)
	}
	local, err := b.cli.CheckDownloadSize(ctx, tmplUUID, tmplTag, "")
	if err != nil || !local.Local {
		t.Fatalf("CheckDownloadSize of local template = %+v, %v", local, err)
	}
	if _, err := b.cli.CheckDownloadSize(ctx, "missing", "", ""); !errors.Is(err, anka.ErrNotFound) {
		t.Fatalf("CheckDownloadSize of missing template = %v, want ErrNotFound", err)
	}
}

func TestPull(t *testing.T) {
	b := setup(t)
	ctx := ctxFor(t)
	b.host.AddRegistryTemplate(ankatest.Template{
		UUID: regUUID, Name: "sonoma", Tags: []string{"v1", "v2", "v3"},
	})

	present, err := b.cli.TemplatePresent(ctx, regUUID, "v1")
	if err != nil || present {
		t.Fatalf("TemplatePresent before pull = %v, %v", present, err)
	}
	for _, tag := range []string{"v1", "v2"} {
		if err := b.cli.Pull(ctx, "", regUUID, tag, false); err != nil {
			t.Fatalf("Pull %s: %v", tag, err)
		}
	}
	if got := templateTags(t, b, regUUID); !slices.Equal(got, []string{"v1", "v2"}) {
		t.Fatalf("tags after two pulls = %v", got)
	}
	present, err = b.cli.TemplatePresent(ctx, regUUID, "v2")
	if err != nil || !present {
		t.Fatalf("TemplatePresent after pull = %v, %v", present, err)
	}
	if present, _ := b.cli.TemplatePresent(ctx, regUUID, "v1"); present {
		t.Fatal("TemplatePresent with a tag that is not current = true")
	}

	if err := b.cli.Pull(ctx, "http://registry.test", regUUID, "v3", true); err != nil {
		t.Fatalf("Pull --shrink: %v", err)
	}
	if got := templateTags(t, b, regUUID); !slices.Equal(got, []string{"v3"}) {
		t.Fatalf("tags after shrinking pull = %v", got)
	}
	last := b.host.Calls()[len(b.host.Calls())-1].Args
	want := []string{
		"-j", "registry", "--remote", "http://registry.test", "pull", "--shrink", regUUID,
		"--tag", "v3",
	}
	if !slices.Equal(last, want) {
		t.Fatalf("pull argv = %q, want %q", last, want)
	}

	// Progress lines precede the envelope and are logged, not parsed.
	if n := strings.Count(b.logs.String(), `"progress":`); n < 6 {
		t.Fatalf("logged %d progress lines, want at least 6:\n%s", n, b.logs)
	}
}

func TestPullFailures(t *testing.T) {
	b := setup(t)
	ctx := ctxFor(t)
	b.host.AddRegistryTemplate(ankatest.Template{UUID: regUUID, Tags: []string{"v1"}})

	err := b.cli.Pull(ctx, "", regUUID, "v9", true)
	if !errors.Is(err, anka.ErrNotFound) {
		t.Fatalf("Pull of missing tag = %v, want ErrNotFound", err)
	}
	if err := b.cli.Pull(ctx, "", "missing", "", true); !errors.Is(err, anka.ErrNotFound) {
		t.Fatalf("Pull of missing template = %v, want ErrNotFound", err)
	}

	// A registry failure that mentions "not found" but is not code 3 is
	// transient: it must not read as "not in the registry".
	b.host.SetFault("registry pull", ankatest.Fault{
		Code: 1, Message: "registry.test: host not found", Times: 1,
	})
	err = b.cli.Pull(ctx, "", regUUID, "v1", true)
	if err == nil || errors.Is(err, anka.ErrNotFound) {
		t.Fatalf("Pull with network fault = %v, want a transient error", err)
	}
	if err := b.cli.Pull(ctx, "", regUUID, "v1", true); err != nil {
		t.Fatalf("Pull after the fault cleared: %v", err)
	}
}

func TestPullTimeout(t *testing.T) {
	b := setup(t, func(o *anka.Options) { o.PullTimeout = 300 * time.Millisecond })
	b.host.AddRegistryTemplate(ankatest.Template{UUID: regUUID, Tags: []string{"v1"}})
	b.host.SetDelay("registry pull", time.Minute)

	began := time.Now()
	err := b.cli.Pull(ctxFor(t), "", regUUID, "v1", true)
	if !errors.Is(err, anka.ErrTimeout) || errors.Is(err, anka.ErrNotFound) {
		t.Fatalf("slow Pull = %v, want ErrTimeout", err)
	}
	if took := time.Since(began); took > 20*time.Second {
		t.Fatalf("slow Pull took %s; the pull was not killed", took)
	}
	if len(b.host.Templates()) != 1 {
		t.Fatalf("a killed pull installed a template: %+v", b.host.Templates())
	}
}

func templateTags(t *testing.T, b bundle, uuid string) []string {
	t.Helper()
	for _, tmpl := range b.host.Templates() {
		if tmpl.UUID == uuid {
			return tmpl.Tags
		}
	}
	t.Fatalf("template %s not local", uuid)
	return nil
}
