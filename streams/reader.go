package streams

import (
	"errors"
	"net"
	"os"
	"time"

	"github.com/redis/go-redis/v9"
)

// NewReaderClient returns a client meant only for blocking readers
// ([Consumer] and [Tail]), so that they cannot starve the rest of the
// process of connections: each blocked read holds one connection for up to
// its Block time. The pool has room for readers blocked reads plus one more
// connection for acknowledgements and leases (PoolSize >= readers+1). opts
// is copied, not changed.
//
// go-redis gives a blocking command a socket deadline of its Block plus
// 10 s, whatever ReadTimeout says; ReadTimeout is raised to at least
// [DefaultBlock] plus one second anyway, so that a client that ignores that
// rule still does not cut a default-length block short. Close the client
// when the readers are done; closing it also ends reads still blocked.
func NewReaderClient(opts *redis.Options, readers int) *redis.Client {
	o := *opts
	if readers < 1 {
		readers = 1
	}
	if o.PoolSize < readers+1 {
		o.PoolSize = readers + 1
	}
	if floor := DefaultBlock + time.Second; o.ReadTimeout >= 0 && o.ReadTimeout < floor {
		o.ReadTimeout = floor
	}
	return redis.NewClient(&o)
}

// isTimeout reports a client-side network timeout, which a blocking read
// may give instead of Redis's empty reply.
func isTimeout(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
