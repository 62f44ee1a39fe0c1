package dialects

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// ServerOptions configure the HTTP server.
type ServerOptions struct {
	// TLSCert and TLSKey are PEM files; both empty serves plain HTTP.
	TLSCert, TLSKey   string
	ReadHeaderTimeout time.Duration
	IdleTimeout       time.Duration
	// ShutdownTimeout bounds how long in-flight requests may drain.
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
	// OnDrain, when set, is called once ctx is cancelled, before the
	// listener closes and the drain begins (readiness turns false there).
	OnDrain func()
}

// NewEcho returns the echo instance that serves every request through p.
// All routing is the dialects' own (by method, query and host), so echo
// sees one catch-all route.
func NewEcho(p *Pipeline) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	h := echo.WrapHandler(p)
	e.Any("/", h)
	e.Any("/*", h)
	// echo's own errors (none expected with a catch-all route) still leave
	// through the pipeline's fallback dialect.
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p.ServeHTTP(c.Response(), c.Request())
	}
	return e
}

// Serve serves on ln until ctx is cancelled, then stops accepting, drains
// in-flight requests for at most ShutdownTimeout, and returns.
func Serve(ctx context.Context, ln net.Listener, handler http.Handler, o ServerOptions) error {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: o.ReadHeaderTimeout,
		IdleTimeout:       o.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn),
	}
	if o.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
		if err != nil {
			return fmt.Errorf("loading TLS certificate: %w", err)
		}
		// "h2" first: a client that offers HTTP/2 gets it (net/http's
		// server speaks it on a connection whose ALPN chose h2); others
		// get HTTP/1.1.
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
			NextProtos: []string{"h2", "http/1.1"}}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	if o.OnDrain != nil {
		o.OnDrain()
	}
	o.Logger.Info("shutting down; draining in-flight requests", "timeout", o.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), o.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("draining: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
