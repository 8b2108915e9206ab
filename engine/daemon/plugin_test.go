package daemon

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine/config"
)

func TestNewPluginNotBuiltIn(t *testing.T) {
	_, err := NewPlugin(Env{}, config.Plugin{Name: "x", Kind: "nothing-registers-this"})
	if !errors.Is(err, ErrNotBuiltIn) {
		t.Fatalf("err = %v, want ErrNotBuiltIn", err)
	}
	want := `plugin "x": no plugin of kind "nothing-registers-this" is built in`
	if err.Error() != want {
		t.Fatalf("err = %q, want %q", err, want)
	}
}

func TestRegisterBuildsAndRejectsDuplicates(t *testing.T) {
	kind := "test-registry-kind"
	var gotEnv Env
	registerForTest(t, kind, func(env Env, p config.Plugin) (Plugin, error) {
		gotEnv = env
		return &fakePlugin{name: p.Name}, nil
	})
	p, err := NewPlugin(Env{HostID: "mac-1", Log: zerolog.Nop()}, config.Plugin{Name: "a", Kind: kind})
	if err != nil || p.Name() != "a" || gotEnv.HostID != "mac-1" {
		t.Fatalf("NewPlugin = %v, %v (env host %q)", p, err, gotEnv.HostID)
	}

	defer func() {
		if recover() == nil {
			t.Fatal("registering a kind twice did not panic")
		}
	}()
	Register(kind, nil)
}

// registerForTest registers a kind for the length of one test.
func registerForTest(t *testing.T, kind string, f Factory) {
	Register(kind, f)
	t.Cleanup(func() {
		registry.Lock()
		defer registry.Unlock()
		delete(registry.kinds, kind)
	})
}

func TestUntilStoppingEndsOnStoppingOrParent(t *testing.T) {
	stopping := make(chan struct{})
	ctx, cancel := UntilStopping(context.Background(), stopping)
	defer cancel()
	if ctx.Err() != nil {
		t.Fatal("context done before stopping closed")
	}
	close(stopping)
	waitDone(t, ctx, "stopping closed")

	parent, cancelParent := context.WithCancel(context.Background())
	ctx2, cancel2 := UntilStopping(parent, make(chan struct{}))
	defer cancel2()
	cancelParent()
	waitDone(t, ctx2, "parent cancelled")
}

func waitDone(t *testing.T, ctx context.Context, after string) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatalf("context not done after %s", after)
	}
}
