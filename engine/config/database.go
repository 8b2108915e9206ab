package config

import (
	"crypto/tls"
	"math"
	"net"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis defaults used when a Database leaves the field empty.
const (
	DefaultDatabaseHost = "localhost"
	DefaultDatabasePort = 6379
)

// Database is a Redis connection. The YAML keys are those of a plugin's
// database block; at the top level they are spelled global_database_<key>.
type Database struct {
	// URL is the Redis host name or address (not a redis:// URL). Default
	// localhost.
	URL string `yaml:"url"`
	// Port defaults to 6379.
	Port int `yaml:"port"`
	// User and Password authenticate with Redis ACLs; both may be empty.
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	// Database is the logical database number. Default 0; must be 0 in
	// cluster mode.
	Database int `yaml:"database"`
	// ClusterMode connects to a Redis Cluster through the one address as a
	// seed.
	ClusterMode bool `yaml:"cluster_mode"`
	// TLSEnabled connects over TLS; TLSInsecure then skips verification of
	// the server's certificate.
	TLSEnabled  bool `yaml:"tls_enabled"`
	TLSInsecure bool `yaml:"tls_insecure"`
	// MaxRetries is how often a failed command is retried; 0 means the
	// go-redis default (3), -1 means never.
	MaxRetries int `yaml:"max_retries"`
	// RetryDelay is the shortest wait before a retry, in milliseconds; 0
	// means the go-redis default (8 ms).
	RetryDelay int `yaml:"retry_delay"`
	// RetryBackoffFactor sets the longest wait before a retry to
	// RetryDelay × RetryBackoffFactor^MaxRetries (at most 5 minutes). Within
	// that cap go-redis draws each wait at random, doubling its range per
	// retry. Default 2. Ignored when RetryDelay is 0.
	RetryBackoffFactor float64 `yaml:"retry_backoff_factor"`
}

// Addr is "host:port" with the defaults applied.
func (d Database) Addr() string {
	host, port := d.URL, d.Port
	if host == "" {
		host = DefaultDatabaseHost
	}
	if port == 0 {
		port = DefaultDatabasePort
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// Client returns a go-redis client for d: a ClusterClient seeded with
// [Database.Addr] in cluster mode, a plain Client otherwise. It does not
// connect; the first command does.
func (d Database) Client() redis.UniversalClient {
	var tlsConfig *tls.Config
	if d.TLSEnabled {
		host, _, _ := net.SplitHostPort(d.Addr())
		tlsConfig = &tls.Config{
			MinVersion:         tls.VersionTLS12,
			ServerName:         host,
			InsecureSkipVerify: d.TLSInsecure, //nolint:gosec // the operator asked for it
		}
	}
	minBackoff, maxBackoff := d.retryBackoff()

	if d.ClusterMode {
		return redis.NewClusterClient(&redis.ClusterOptions{
			Addrs:           []string{d.Addr()},
			Username:        d.User,
			Password:        d.Password,
			TLSConfig:       tlsConfig,
			MaxRetries:      d.MaxRetries,
			MinRetryBackoff: minBackoff,
			MaxRetryBackoff: maxBackoff,
			// Honour context deadlines on the socket, so a dead Redis
			// fails a call when its context says, not after minutes.
			ContextTimeoutEnabled: true,
		})
	}
	return redis.NewClient(&redis.Options{
		Addr:                  d.Addr(),
		Username:              d.User,
		Password:              d.Password,
		DB:                    d.Database,
		TLSConfig:             tlsConfig,
		MaxRetries:            d.MaxRetries,
		MinRetryBackoff:       minBackoff,
		MaxRetryBackoff:       maxBackoff,
		ContextTimeoutEnabled: true,
	})
}

// maxRetryBackoff bounds the computed cap so a large factor cannot overflow.
const maxRetryBackoff = 5 * time.Minute

// retryBackoff maps retry_delay and retry_backoff_factor onto go-redis's
// minimum and maximum retry backoff; zeros keep the go-redis defaults.
func (d Database) retryBackoff() (lo, hi time.Duration) {
	if d.RetryDelay <= 0 {
		return 0, 0
	}
	lo = time.Duration(d.RetryDelay) * time.Millisecond
	factor := d.RetryBackoffFactor
	if factor <= 0 {
		factor = 2
	}
	retries := d.MaxRetries
	if retries <= 0 {
		retries = 3
	}
	limit := float64(lo) * math.Pow(factor, float64(retries))
	hi = time.Duration(math.Min(limit, float64(maxRetryBackoff)))
	if hi < lo {
		hi = lo
	}
	return lo, hi
}
