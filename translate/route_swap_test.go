package translate_test

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/babelgate/babelgate/backends/fs"
	"github.com/babelgate/babelgate/translate"
)

// TestSetRoutes swaps an engine's routes while requests run: an invalid
// table is refused and the old one stays; a valid one takes effect at
// once; every concurrent request sees the old table or the new one,
// never a mix or nothing (run with -race).
func TestSetRoutes(t *testing.T) {
	ctx := context.Background()
	bs := map[string]translate.Backend{}
	for _, name := range []string{"local", "remote"} {
		b, err := fs.New(fs.Options{Root: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.CreateBucket(ctx, "photos"); err != nil {
			t.Fatal(err)
		}
		data := "on " + name
		if _, err := b.PutObject(ctx, "photos", "k", translate.BytesBody([]byte(data)), translate.Metadata{}); err != nil {
			t.Fatal(err)
		}
		bs[name] = b
	}
	toRemote := []translate.Route{{Bucket: "photos", Backend: "remote"}}
	e, err := translate.NewEngine(translate.EngineConfig{Backends: bs, Default: "local", Routes: toRemote,
		UploadIDSecret: []byte("0123456789abcdef-swap-test")})
	if err != nil {
		t.Fatal(err)
	}
	c := translate.Caller{Principal: &translate.Principal{AccessKey: "ak",
		Grants: []translate.Grant{{Pattern: "*", Access: translate.AccessWrite}}}, Rules: &translate.S3Rules}
	get := func() (string, error) {
		o, err := e.GetObject(ctx, c, translate.GetRequest{Bucket: "photos", Key: "k"})
		if err != nil {
			return "", err
		}
		defer o.Body.Close()
		b, err := io.ReadAll(o.Body)
		return string(b), err
	}
	if got, err := get(); err != nil || got != "on remote" {
		t.Fatalf("before any swap: %q, %v", got, err)
	}

	for _, tt := range []struct {
		name   string
		routes []translate.Route
		want   string
	}{
		{"unknown backend", []translate.Route{{Bucket: "photos", Backend: "nosuch"}}, `names backend "nosuch"`},
		{"bucket routed twice", []translate.Route{{Bucket: "photos", Backend: "local"}, {Bucket: "photos", Backend: "remote"}}, "routed twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := e.SetRoutes(tt.routes)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("SetRoutes: %v, want an error containing %q", err, tt.want)
			}
			if got, err := get(); err != nil || got != "on remote" {
				t.Fatalf("after a refused swap: %q, %v; the old routes should stay", got, err)
			}
		})
	}

	if err := e.SetRoutes(nil); err != nil {
		t.Fatal(err)
	}
	if got, err := get(); err != nil || got != "on local" {
		t.Fatalf("after removing the route: %q, %v", got, err)
	}

	// Readers and a swapper at once: each read is one table's answer.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan string, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				got, err := get()
				if err != nil || (got != "on local" && got != "on remote") {
					errs <- got + " " + errString(err)
					return
				}
				if _, err := e.ListBuckets(ctx, c); err != nil {
					errs <- "ListBuckets: " + err.Error()
					return
				}
			}
		}()
	}
	for i := 0; i < 200; i++ {
		routes := toRemote
		if i%2 == 1 {
			routes = nil
		}
		if err := e.SetRoutes(routes); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Errorf("a read during swaps: %s", msg)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
