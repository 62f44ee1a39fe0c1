package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// newProxy returns a plain reverse proxy onto target. The outgoing request
// keeps the Host header the client sent (and signed), so the store
// verifies the client's SigV4 signature as if it were addressed directly;
// nothing else is added or changed (no X-Forwarded-* headers).
func newProxy(target *url.URL) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true},
	}
}

// serveProxy serves newProxy(target) on addr until SIGTERM or SIGINT.
func serveProxy(addr, target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: addr, Handler: newProxy(u), ReadHeaderTimeout: 30 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
