package reconcile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/streams"
)

// Turn lets many processes share one periodic job: whoever takes the turn
// first runs the pass, and nobody else does until the turn expires. It is a
// Redis string `anklet:{<queue>}:lock:reconcile:<name>` holding the taker's name,
// set with NX and an expiry and never deleted, so it also spaces passes out
// when the taker dies mid-pass. A Turn is safe for concurrent use.
type Turn struct {
	rdb    redis.UniversalClient
	key    string
	holder string
}

// NewTurn returns the turn called name on queue, taken in holder's name
// (the host ID, shown to operators). It fails when the queue name is not a
// valid key part or name or holder is empty. It does not contact Redis.
func NewTurn(rdb redis.UniversalClient, queue, name, holder string) (*Turn, error) {
	keys, err := streams.KeysFor(queue)
	if err != nil {
		return nil, fmt.Errorf("new turn %s: %w", name, err)
	}
	if name == "" || holder == "" {
		return nil, fmt.Errorf("new turn on queue %s: name and holder must be set", queue)
	}
	key := keys.Lock("reconcile:" + name)
	return &Turn{rdb: rdb, key: key, holder: holder}, nil
}

// Key is the Redis key of the turn.
func (t *Turn) Key() string { return t.key }

// Take takes the turn for ttl (at least one millisecond) and reports
// whether it got it: false means another process took it less than its ttl
// ago. A Redis failure is returned as an error, and the caller should skip
// its pass.
func (t *Turn) Take(ctx context.Context, ttl time.Duration) (bool, error) {
	ttl = max(ttl, time.Millisecond)
	err := t.rdb.SetArgs(ctx, t.key, t.holder, redis.SetArgs{Mode: "NX", TTL: ttl}).Err()
	switch {
	case errors.Is(err, redis.Nil):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("take turn %s: %w", t.key, err)
	}
	return true, nil
}
