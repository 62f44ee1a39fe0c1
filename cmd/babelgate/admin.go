package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/babelgate/babelgate/backends"
	"github.com/babelgate/babelgate/config"
	"github.com/babelgate/babelgate/metrics"
	"github.com/babelgate/babelgate/translate"
)

// readyTimeout bounds each backend's probe in /readyz.
const readyTimeout = 5 * time.Second

// instrumentBackends wraps every backend so that its calls are counted and
// timed in the metrics (see backends.Instrument).
func instrumentBackends(bs map[string]translate.Backend) map[string]translate.Backend {
	for name, b := range bs {
		bs[name] = backends.Instrument(name, b)
	}
	return bs
}

// admin is the admin listener (server.metrics_listen): Prometheus metrics,
// health, readiness and, when configured, pprof. A nil *admin (no admin
// listener configured) does nothing.
type admin struct {
	srv      *http.Server
	draining atomic.Bool
	done     chan struct{}
}

// startAdmin serves the admin endpoints on cfg.Server.MetricsListen until
// Close, and logs the address; with no address it returns nil. It also
// sets the build-info metric.
func startAdmin(cfg *config.Config, bs map[string]translate.Backend, logger *slog.Logger) (*admin, error) {
	metrics.SetBuildInfo(version)
	if cfg.Server.MetricsListen == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", cfg.Server.MetricsListen)
	if err != nil {
		return nil, fmt.Errorf("admin listener: %w", err)
	}
	a := &admin{done: make(chan struct{})}
	a.srv = &http.Server{
		Handler:           newAdminHandler(bs, &a.draining, readyTimeout, cfg.Server.Pprof),
		ReadHeaderTimeout: cfg.Server.ReadHeaderTimeout.Duration,
		IdleTimeout:       cfg.Server.IdleTimeout.Duration,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go func() {
		defer close(a.done)
		if err := a.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("admin listener failed", "error", err)
		}
	}()
	logger.Info("admin listener serving /metrics, /healthz and /readyz", "addr", ln.Addr().String(), "pprof", cfg.Server.Pprof)
	return a, nil
}

// Draining turns readiness false for good: the data port is draining.
func (a *admin) Draining() {
	if a != nil {
		a.draining.Store(true)
	}
}

// Close stops the admin listener and waits for it.
func (a *admin) Close() {
	if a == nil {
		return
	}
	a.srv.Close()
	<-a.done
}

// newAdminHandler serves:
//
//	/metrics        the Prometheus exposition of metrics.Registry
//	/healthz        200 "ok" while the process serves
//	/readyz         200 "ready" when every backend answered its probe
//	                (backends.Probe) within timeout; 503 naming each
//	                backend that did not, or "draining" once draining is set
//	/debug/pprof/   net/http/pprof, only when withPprof
func newAdminHandler(bs map[string]translate.Backend, draining *atomic.Bool, timeout time.Duration, withPprof bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(metrics.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if draining.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "not ready: draining for shutdown\n")
			return
		}
		if failed := probeAll(r.Context(), bs, timeout); len(failed) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "not ready:\n"+strings.Join(failed, "\n")+"\n")
			return
		}
		io.WriteString(w, "ready\n")
	})
	if withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// probeAll probes every backend at once, each bounded by timeout, and
// returns a line per backend that failed ("backend NAME: reason"), sorted.
func probeAll(ctx context.Context, bs map[string]translate.Backend, timeout time.Duration) []string {
	var (
		mu     sync.Mutex
		failed []string
		wg     sync.WaitGroup
	)
	for name, b := range bs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			err := backends.Probe(pctx, b)
			if err == nil && pctx.Err() != nil {
				err = pctx.Err()
			}
			if err != nil {
				mu.Lock()
				failed = append(failed, fmt.Sprintf("backend %s: %s", name, probeReason(pctx, err, timeout)))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Strings(failed)
	return failed
}

// probeReason says why a probe failed in one line, without the store's
// full error chain when it simply did not answer in time.
func probeReason(ctx context.Context, err error, timeout time.Duration) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "no answer within " + timeout.String()
	}
	te := translate.AsError(err)
	msg := te.Code.String()
	if te.Err != nil {
		msg += ": " + te.Err.Error()
	} else if te.Message != "" {
		msg += ": " + te.Message
	}
	return strings.ReplaceAll(msg, "\n", " ")
}
