package config

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/engine/enginetest"
	"github.com/anklet/anklet/streams/redistest"
)

func TestDatabaseClient(t *testing.T) {
	s := redistest.Start(t)
	ctx := context.Background()
	admin := s.Client()
	if err := admin.Do(ctx, "ACL", "SETUSER", "anklet", "on", ">pw", "~*", "&*",
		"+@all").Err(); err != nil {
		t.Fatalf("create ACL user: %v", err)
	}

	d := Database{URL: "127.0.0.1", Port: s.Port(), User: "anklet", Password: "pw", Database: 3}
	c := d.Client()
	defer c.Close()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("set through the configured client: %v", err)
	}

	direct := redis.NewClient(&redis.Options{Addr: s.Addr(), DB: 3})
	defer direct.Close()
	if got, err := direct.Get(ctx, "k").Result(); err != nil || got != "v" {
		t.Fatalf("key in db 3 = %q, %v; want v", got, err)
	}

	wrong := Database{URL: "127.0.0.1", Port: s.Port(), User: "anklet", Password: "nope"}.Client()
	defer wrong.Close()
	if err := wrong.Ping(ctx).Err(); err == nil {
		t.Fatal("a wrong password connected")
	}
}

func TestDatabaseClusterClient(t *testing.T) {
	s := redistest.Start(t, redistest.WithArgs("--cluster-enabled", "yes"))
	ctx := context.Background()
	admin := s.Client()
	if err := admin.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", 0, 16383).Err(); err != nil {
		t.Fatalf("assign slots: %v", err)
	}
	waitFor(t, 10*time.Second, func() bool {
		info, err := admin.ClusterInfo(ctx).Result()
		return err == nil && containsLine(info, "cluster_state:ok")
	})

	c := Database{URL: "127.0.0.1", Port: s.Port(), ClusterMode: true}.Client()
	defer c.Close()
	if _, ok := c.(*redis.ClusterClient); !ok {
		t.Fatalf("client is %T, want *redis.ClusterClient", c)
	}
	for i := range 20 { // keys spread over many slots
		k := "key-" + strconv.Itoa(i)
		if err := c.Set(ctx, k, i, 0).Err(); err != nil {
			t.Fatalf("cluster set %s: %v", k, err)
		}
	}
}

func TestDatabaseOptions(t *testing.T) {
	d := Database{TLSEnabled: true, TLSInsecure: true, MaxRetries: 5, RetryDelay: 1000,
		RetryBackoffFactor: 2}
	c := d.Client()
	defer c.Close()
	opt := c.(*redis.Client).Options()
	eq(t, "addr", opt.Addr, "localhost:6379")
	eq(t, "db", opt.DB, 0)
	if opt.TLSConfig == nil || !opt.TLSConfig.InsecureSkipVerify {
		t.Fatalf("TLS config = %+v, want InsecureSkipVerify", opt.TLSConfig)
	}
	eq(t, "server name", opt.TLSConfig.ServerName, "localhost")
	eq(t, "max retries", opt.MaxRetries, 5)
	eq(t, "min backoff", opt.MinRetryBackoff, time.Second)
	eq(t, "max backoff", opt.MaxRetryBackoff, 32*time.Second)

	plain := Database{}.Client()
	defer plain.Close()
	if plain.(*redis.Client).Options().TLSConfig != nil {
		t.Fatal("TLS without tls_enabled")
	}
}

func TestRetryBackoff(t *testing.T) {
	cases := []struct {
		d      Database
		lo, hi time.Duration
	}{
		{Database{}, 0, 0},
		{Database{RetryDelay: 100}, 100 * time.Millisecond, 800 * time.Millisecond},
		{Database{RetryDelay: 100, MaxRetries: 2, RetryBackoffFactor: 3},
			100 * time.Millisecond, 900 * time.Millisecond},
		{Database{RetryDelay: 1000, MaxRetries: 50, RetryBackoffFactor: 10},
			time.Second, maxRetryBackoff},
	}
	for _, tc := range cases {
		lo, hi := tc.d.retryBackoff()
		if lo != tc.lo || hi != tc.hi {
			t.Errorf("%+v: backoff %v..%v, want %v..%v", tc.d, lo, hi, tc.lo, tc.hi)
		}
	}
}

// waitFor fails the test when cond does not hold within within.
func waitFor(t *testing.T, within time.Duration, cond func() bool) {
	t.Helper()
	enginetest.WaitFor(t, within, "the condition", cond)
}

func containsLine(text, line string) bool {
	for l := range strings.Lines(text) {
		if strings.TrimRight(l, "\r\n") == line {
			return true
		}
	}
	return false
}
