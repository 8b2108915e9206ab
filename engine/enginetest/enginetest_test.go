package enginetest

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestWaitForReturnsOnceTheConditionHolds(t *testing.T) {
	var n atomic.Int32
	WaitFor(t, 5*time.Second, "three checks", func() bool { return n.Add(1) >= 3 })
	if got := n.Load(); got != 3 {
		t.Fatalf("condition checked %d times, want 3", got)
	}
}

// fakeTB turns Fatalf into a panic the test recovers, so the failure path
// can be observed without failing the real test.
type fakeTB struct{ testing.TB }

type fatal struct{ msg string }

func (fakeTB) Helper() {}
func (fakeTB) Fatalf(format string, args ...any) {
	panic(fatal{fmt.Sprintf(format, args...)})
}

func TestWaitForFailsAtTheDeadline(t *testing.T) {
	defer func() {
		f, ok := recover().(fatal)
		if !ok || !strings.Contains(f.msg, "waiting for never") {
			t.Fatalf("WaitFor failed with %+v, want a message naming what it waited for", f)
		}
	}()
	WaitFor(fakeTB{t}, 20*time.Millisecond, "never", func() bool { return false })
	t.Fatal("WaitFor returned although the condition never held")
}

func TestContextEndsWithTheTest(t *testing.T) {
	var ctxErr func() error
	t.Run("inner", func(t *testing.T) {
		ctx := Context(t, time.Minute)
		ctxErr = ctx.Err
		if ctx.Err() != nil {
			t.Fatal("context already done")
		}
	})
	if ctxErr() == nil {
		t.Fatal("context still live after its test ended")
	}
}
