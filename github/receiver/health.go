package receiver

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// healthTimeout bounds the Redis PING of a health check.
const healthTimeout = time.Second

// serveHealth answers GET /healthcheck: 200 "ok" while Redis answers PING
// within a second, 503 otherwise.
func (r *Receiver) serveHealth(w http.ResponseWriter, req *http.Request) {
	err := bounded(req.Context(), healthTimeout, func(ctx context.Context) error {
		return r.opts.Redis.Ping(ctx).Err()
	})

	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err != nil {
		r.log.Debug().Err(err).Msg("health check failed: redis does not answer")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("redis unavailable"))
		return
	}
	_, _ = w.Write([]byte("ok"))
}

// Probe asks the receiver listening at addr (host:port) for its health:
// GET http://addr/healthcheck. It returns nil on 200 and an error on any
// other answer or none within timeout. The container health check
// (anklet-receiver -healthcheck) uses it.
func Probe(ctx context.Context, addr string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+HealthPath, nil)
	if err != nil {
		return fmt.Errorf("probe %s: %w", addr, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("probe %s: %w", addr, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("probe %s: %s", addr, resp.Status)
	}
	return nil
}

// ProbeAddr is the address to probe a receiver listening on listenAddress
// and port at: 127.0.0.1 when it listens on every interface (or the
// address is empty), the address itself otherwise.
func ProbeAddr(listenAddress string, port int) string {
	host := listenAddress
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, fmt.Sprint(port))
}
