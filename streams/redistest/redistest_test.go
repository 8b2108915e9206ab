package redistest

import (
	"context"
	"testing"
)

func TestAOFRestartKeepsData(t *testing.T) {
	ctx := context.Background()
	s := Start(t, WithAOF("always"))
	c := s.Client()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}

	s.Kill()
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatal("ping succeeded against a killed server")
	}
	s.Restart()

	got, err := c.Get(ctx, "k").Result()
	if err != nil || got != "v" {
		t.Fatalf("after restart Get = %q, %v; want v", got, err)
	}
}

func TestWithoutAOFRestartLosesData(t *testing.T) {
	ctx := context.Background()
	s := Start(t)
	c := s.Client()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	s.Kill()
	s.Restart()
	if n, err := c.Exists(ctx, "k").Result(); err != nil || n != 0 {
		t.Fatalf("Exists = %d, %v; want 0 after a restart without persistence", n, err)
	}
}
