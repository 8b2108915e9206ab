package engine

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultDeliveryTTL is how long a delivery marker lasts when ForDelivery is
// given no lifetime: 7 days, longer than GitHub keeps deliveries to redeliver.
const DefaultDeliveryTTL = 7 * 24 * time.Hour

// ErrDuplicateDelivery is returned by Enqueue and Transition of a Store from
// ForDelivery when the delivery's marker exists: the delivery was handled
// before, and nothing was written.
var ErrDuplicateDelivery = errors.New("delivery already handled")

// deliveryMark is the webhook delivery a change records.
type deliveryMark struct {
	guid string
	ttl  time.Duration
}

// ForDelivery returns a Store whose Enqueue and Transition run at most once
// for webhook delivery guid (the X-GitHub-Delivery header). In the same
// script as the change, they fail with [ErrDuplicateDelivery] when the
// marker streams.Keys.Delivery(guid) exists, and otherwise set it, with a
// lifetime of ttl (rounded up to the second; ≤ 0 means
// [DefaultDeliveryTTL]), whatever the change's outcome: a created job, an
// existing one or a conflict. A crash can therefore never leave a change
// stored without its marker, or the reverse. The guid must be a valid key
// part; the caller checks it. The Store returned shares s's client.
func (s *Store) ForDelivery(guid string, ttl time.Duration) *Store {
	if ttl <= 0 {
		ttl = DefaultDeliveryTTL
	}
	cp := *s
	cp.once = &deliveryMark{guid: guid, ttl: ttl}
	return &cp
}

// onceScripts wraps the engine's scripts that a delivery may drive.
var onceScripts = map[*redis.Script]*redis.Script{
	enqueueScript:    loadOnceScript("enqueue.lua"),
	transitionScript: loadOnceScript("transition.lua"),
}

// loadOnceScript wraps script name so that it runs at most once per delivery:
// the last KEYS entry is the delivery marker and the last ARGV entry its
// lifetime in seconds, removed before the wrapped script reads ARGV.
func loadOnceScript(name string) *redis.Script {
	common, body := scriptSource(name)
	return redis.NewScript(common + `
local marker = KEYS[#KEYS]
local marker_ttl = table.remove(ARGV)
if redis.call('EXISTS', marker) == 1 then return {'duplicate'} end
local function change()
` + body + `
end
local result = change()
redis.call('SET', marker, '1', 'EX', marker_ttl)
return result
`)
}

// runScript runs script, or its once-per-delivery form when s has a
// delivery, and returns the reply.
func (s *Store) runScript(ctx context.Context, script *redis.Script, keys []string,
	args ...any) (any, error) {
	if s.once == nil {
		return script.Run(ctx, s.rdb, keys, args...).Result()
	}

	once := onceScripts[script]
	if once == nil {
		return nil, errors.New("script cannot record a delivery")
	}
	keys = append(keys[:len(keys):len(keys)], s.keys.Delivery(s.once.guid))
	secs := int64((s.once.ttl + time.Second - 1) / time.Second)
	args = append(args[:len(args):len(args)], strconv.FormatInt(secs, 10))
	v, err := once.Run(ctx, s.rdb, keys, args...).Result()
	if err != nil {
		return nil, err
	}
	if list, ok := v.([]any); ok && len(list) == 1 && list[0] == "duplicate" {
		return nil, ErrDuplicateDelivery
	}
	return v, nil
}
