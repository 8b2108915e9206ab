package receiver

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/streams"
)

// Redelivery lock timing.
const (
	// passLockTTL bounds how long a pass holds the lock if its receiver dies
	// mid-pass.
	passLockTTL = 10 * time.Minute
	// passCooldown is how long the lock outlives a finished pass, so that
	// the redeliveries it asked for reach a receiver before another pass
	// looks at the same deliveries.
	passCooldown = 30 * time.Second
)

// passLock keeps receivers that share a queue (behind one load balancer)
// from making redelivery passes at the same time: a key in the queue's
// keyspace, anklet:{Q}:lock:redeliver, taken with SET NX and a lifetime.
type passLock struct {
	rdb      redis.UniversalClient
	key      string
	token    string
	cooldown time.Duration
}

func newPassLock(rdb redis.UniversalClient, keys streams.Keys, token string,
	interval time.Duration) passLock {
	return passLock{
		rdb:      rdb,
		key:      keys.Lock("redeliver"),
		token:    token,
		cooldown: min(passCooldown, interval/2),
	}
}

// acquire takes the lock; false when another receiver holds it.
func (l passLock) acquire(ctx context.Context) (bool, error) {
	ok, err := l.rdb.SetNX(ctx, l.key, l.token, passLockTTL).Result()
	if err != nil {
		return false, fmt.Errorf("take redelivery lock %s: %w", l.key, err)
	}
	return ok, nil
}

// releaseScript shortens the lock to the cooldown (ARGV[2] ms; deletes it
// when 0) if the caller still holds it.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('DEL', KEYS[1])
`)

// release lets the lock lapse after the cooldown if it is still ours.
func (l passLock) release(ctx context.Context) error {
	err := releaseScript.Run(ctx, l.rdb, []string{l.key}, l.token,
		l.cooldown.Milliseconds()).Err()
	if err != nil {
		return fmt.Errorf("release redelivery lock %s: %w", l.key, err)
	}
	return nil
}
