package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// portAttempts bounds how many ports Start tries when the port is not fixed.
const portAttempts = 100

// listen binds addr:port. When the port is taken and not fixed it tries the
// following ports, up to portAttempts in all. Errors other than "address in
// use" end the search at once. The error wraps syscall.EADDRINUSE when every
// port tried was taken.
func listen(ctx context.Context, addr string, port int, fixed bool) (net.Listener, error) {
	if port < 1 || port > 65535 {
		return nil, fmt.Errorf("listen on %s: port %d out of range 1-65535", addr, port)
	}
	attempts := portAttempts
	if fixed {
		attempts = 1
	}

	var lc net.ListenConfig
	var lastErr error
	for p := port; p < port+attempts && p <= 65535; p++ {
		ln, err := lc.Listen(ctx, "tcp", net.JoinHostPort(addr, strconv.Itoa(p)))
		if err == nil {
			return ln, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("listen on %s port %d: %w", addr, p, err)
		}
		lastErr = err
	}
	if fixed {
		return nil, fmt.Errorf("listen on %s port %d (fixed): %w", addr, port, lastErr)
	}
	return nil, fmt.Errorf("listen on %s: ports %d to %d all in use: %w",
		addr, port, port+attempts-1, lastErr)
}
