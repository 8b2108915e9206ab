package streams

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultBlock is how long one blocking read waits for new entries before
// the reader checks its context again.
const DefaultBlock = 2 * time.Second

// Message is an entry delivered to a consumer.
type Message struct {
	// ID is the entry's stream id.
	ID string
	// Fields are the entry's fields. They are nil when the entry was
	// deleted from the stream while still pending (read from history).
	Fields map[string]string
	// Deliveries is how many times the group has delivered the entry,
	// this delivery included: 1 for a first read.
	Deliveries int64
}

// ConsumerOptions tunes a [Consumer]. The zero value is ready to use.
type ConsumerOptions struct {
	// Block is how long one XREADGROUP call waits for new entries; [Consumer.Read]
	// checks its context between calls, so it is also how late Read may
	// notice a cancellation. Zero means [DefaultBlock]; a negative value
	// makes Read poll once without waiting.
	Block time.Duration
}

// Consumer reads a stream as one named consumer of a consumer group and
// holds leases on the entries delivered to it. It is safe for concurrent
// use. Create the group first with [EnsureGroup].
type Consumer struct {
	rdb    redis.UniversalClient
	stream string
	group  string
	name   string
	block  time.Duration

	timeouts atomic.Int64
}

// NewConsumer returns a consumer called name in group on stream. Blocking
// reads hold a connection each, so rdb should be a client whose pool leaves
// room for them; see [NewReaderClient].
func NewConsumer(
	rdb redis.UniversalClient, stream, group, name string, opts ConsumerOptions,
) *Consumer {
	block := opts.Block
	if block == 0 {
		block = DefaultBlock
	}
	return &Consumer{rdb: rdb, stream: stream, group: group, name: name, block: block}
}

// Stream is the stream the consumer reads.
func (c *Consumer) Stream() string { return c.stream }

// Group is the consumer group.
func (c *Consumer) Group() string { return c.group }

// Name is the consumer's name within its group.
func (c *Consumer) Name() string { return c.name }

// Timeouts counts reads that ended in a client-side i/o timeout instead of
// Redis's empty reply. Read treats both as "no message"; a growing count
// points at the network or at an overloaded server.
func (c *Consumer) Timeouts() int64 { return c.timeouts.Load() }

// Read waits for up to count entries never delivered to the group
// (XREADGROUP ">") and returns them, now pending under this consumer. It
// blocks in bounded steps (ConsumerOptions.Block) until entries arrive or
// ctx ends, and then returns ctx.Err() within about one step (up to Block
// plus go-redis's 10 s socket allowance when the server stops answering
// without closing the connection). Entries that
// arrive are returned even if ctx ended meanwhile, since they are already
// pending. count <= 0 reads one entry.
func (c *Consumer) Read(ctx context.Context, count int) ([]Message, error) {
	if count <= 0 {
		count = 1
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		msgs, err := c.readOnce(ctx, count)
		if len(msgs) > 0 || err != nil || c.block < 0 {
			return msgs, err
		}
	}
}

func (c *Consumer) readOnce(ctx context.Context, count int) ([]Message, error) {
	res, err := c.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group:    c.group,
		Consumer: c.name,
		Streams:  []string{c.stream, ">"},
		Count:    int64(count),
		Block:    c.block, // never 0: go-redis sends BLOCK 0, wait forever
	}).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, nil
	case isTimeout(err):
		c.timeouts.Add(1)
		return nil, nil
	case err != nil:
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, wrap("read", c.stream, classify(err))
	}
	var msgs []Message
	for _, s := range res {
		for _, m := range s.Messages {
			msgs = append(msgs, toMessage(m, 1))
		}
	}
	return msgs, nil
}

// Ack acknowledges ids: they leave the group's pending list and their jobs
// are done. It returns how many were pending; ids already acknowledged
// count 0, so acknowledging twice is harmless.
func (c *Consumer) Ack(ctx context.Context, ids ...string) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	n, err := c.rdb.XAck(ctx, c.stream, c.group, ids...).Result()
	if err != nil {
		return 0, wrap("ack", c.stream, err)
	}
	return n, nil
}

func toMessage(m redis.XMessage, deliveries int64) Message {
	return Message{ID: m.ID, Fields: stringFields(m.Values), Deliveries: deliveries}
}

func stringFields(values map[string]any) map[string]string {
	if values == nil {
		return nil
	}
	fields := make(map[string]string, len(values))
	for k, v := range values {
		s, _ := v.(string)
		fields[k] = s
	}
	return fields
}
