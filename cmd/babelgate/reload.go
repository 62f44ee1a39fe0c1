package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/babelgate/babelgate/config"
	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// Reload (SIGHUP) re-reads the config file and applies its users (access
// keys, secrets, grants) and routes while the gateway serves: requests in
// flight keep the caller and backend they resolved, connections stay open,
// uploads continue (upload IDs are sealed with server.upload_id_secret,
// which does not change). A file that fails validation is refused with its
// line-numbered message and the config in force stays. What a running
// process cannot change (everything under server and log, the backends,
// default_backend, the dialect limits) is compared with what the process
// started with: a change there is logged as needing a restart and not
// applied, while the reloadable parts are. Routes that name a backend the
// process did not open refuse the whole reload. The command-line flags
// given at start keep overriding the file.

// credentialsOf returns the users of cfg as the dialects look them up.
func credentialsOf(cfg *config.Config) dialects.StaticCredentials {
	creds := dialects.StaticCredentials{}
	for _, u := range cfg.Users {
		creds[u.AccessKey] = dialects.StaticUser{Secret: u.SecretKey, Principal: u.Principal()}
	}
	return creds
}

// reloader applies config reloads to a running gateway. Reload may be
// called from any goroutine; reloads run one at a time.
type reloader struct {
	flags  serveFlags
	logger *slog.Logger
	creds  *dialects.SwappableCredentials
	engine *translate.Engine

	mu      sync.Mutex
	started *config.Config // what the process runs with
	current *config.Config // the last config applied
}

func newReloader(flags serveFlags, cfg *config.Config, logger *slog.Logger, creds *dialects.SwappableCredentials, engine *translate.Engine) *reloader {
	return &reloader{flags: flags, logger: logger, creds: creds, engine: engine, started: cfg, current: cfg}
}

// watch reloads on every SIGHUP until ctx ends, and returns a function that
// stops watching. The signal is caught from the moment watch returns, so a
// SIGHUP never terminates the process.
func (r *reloader) watch(ctx context.Context) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				r.Reload()
			}
		}
	}()
	return func() {
		signal.Stop(hup)
		cancel()
		<-done
	}
}

// Reload re-reads the config file and applies it (see the comment at the
// top of this file). It logs the outcome and returns why a reload was
// refused, or nil.
func (r *reloader) Reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.flags.config == "" {
		r.logger.Info("config reload skipped: development mode has no config file to reload (start with --config FILE)")
		return nil
	}
	next, err := loadServeConfig(r.flags, io.Discard)
	if err != nil {
		r.logger.Error("config reload refused; the config in force stays", "config", r.flags.config, "error", err.Error())
		return err
	}
	if err := r.engine.SetRoutes(next.TranslateRoutes()); err != nil {
		err = fmt.Errorf("%w (backends are opened at start: adding one needs a restart)", err)
		r.logger.Error("config reload refused; the config in force stays", "config", r.flags.config, "error", err.Error())
		return err
	}
	r.creds.Swap(credentialsOf(next))
	r.engine.SetAnonymous(next.TranslateAnonymous())
	if restart := restartOnly(r.started, next); len(restart) > 0 {
		r.logger.Warn("config reload: these settings changed but need a restart; the running values stay",
			"config", r.flags.config, "settings", restart)
	}
	attrs := []any{"config", r.flags.config}
	ua, ur, uc := userChanges(r.current.Users, next.Users)
	ra, rr, rc := routeChanges(r.current.Routes, next.Routes)
	for _, kv := range []struct {
		key  string
		list []string
	}{{"users_added", ua}, {"users_removed", ur}, {"users_changed", uc}, {"routes_added", ra}, {"routes_removed", rr}, {"routes_changed", rc}} {
		if len(kv.list) > 0 {
			attrs = append(attrs, kv.key, kv.list)
		}
	}
	if len(attrs) == 2 {
		attrs = append(attrs, "changes", "none to users or routes")
	}
	r.current = next
	r.logger.Info("config reloaded", attrs...)
	return nil
}

// userChanges lists users added and removed (by access key) and changed
// (access key and what changed: "secret", "grants [pattern:access ...]").
// Secrets are compared, never shown.
func userChanges(old, next []config.User) (added, removed, changed []string) {
	before := map[string]config.User{}
	for _, u := range old {
		before[u.AccessKey] = u
	}
	seen := map[string]bool{}
	for _, u := range next {
		seen[u.AccessKey] = true
		o, ok := before[u.AccessKey]
		if !ok {
			added = append(added, u.AccessKey+" "+grantsString(u.Buckets))
			continue
		}
		var what []string
		if o.SecretKey != u.SecretKey {
			what = append(what, "secret")
		}
		if !slices.Equal(o.Buckets, u.Buckets) {
			what = append(what, "grants "+grantsString(u.Buckets))
		}
		if len(what) > 0 {
			changed = append(changed, u.AccessKey+": "+strings.Join(what, ", "))
		}
	}
	for _, u := range old {
		if !seen[u.AccessKey] {
			removed = append(removed, u.AccessKey)
		}
	}
	return added, removed, changed
}

func grantsString(gs []config.Grant) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = g.Name + ":" + g.Access.String()
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// routeChanges lists routes added, removed and changed, by front bucket,
// each with where it now leads.
func routeChanges(old, next []config.Route) (added, removed, changed []string) {
	before := map[string]config.Route{}
	for _, r := range old {
		before[r.Bucket] = r
	}
	seen := map[string]bool{}
	for _, r := range next {
		seen[r.Bucket] = true
		switch o, ok := before[r.Bucket]; {
		case !ok:
			added = append(added, routeString(r))
		case routeString(o) != routeString(r): // From and To are pointers
			changed = append(changed, routeString(r))
		}
	}
	for _, r := range old {
		if !seen[r.Bucket] {
			removed = append(removed, r.Bucket)
		}
	}
	return added, removed, changed
}

func routeString(r config.Route) string {
	if r.From != nil && r.To != nil {
		return fmt.Sprintf("%s -> migrating %s:%s/%s to %s:%s/%s (copy on read %t)", r.Bucket,
			r.From.Backend, r.From.Bucket, r.From.KeyPrefix, r.To.Backend, r.To.Bucket, r.To.KeyPrefix, r.CopyOnRead)
	}
	to := r.BackendBucket
	if to == "" {
		to = r.Bucket
	}
	return fmt.Sprintf("%s -> %s:%s/%s", r.Bucket, r.Backend, to, r.KeyPrefix)
}

// restartOnly lists the settings that differ between the running config
// and next but only take effect at start: each field of server and log by
// its YAML name, each backend by name, default_backend, each dialect's
// limits.
func restartOnly(running, next *config.Config) []string {
	var out []string
	out = append(out, fieldChanges("server", running.Server, next.Server)...)
	out = append(out, fieldChanges("log", running.Log, next.Log)...)
	out = append(out, dialectChanges(running.Dialects, next.Dialects)...)
	if running.DefaultBackend != next.DefaultBackend {
		out = append(out, "default_backend")
	}
	out = append(out, backendChanges(running.Backends, next.Backends)...)
	return out
}

// fieldChanges names the fields of two structs of one type that differ,
// as prefix.<yaml name>.
func fieldChanges(prefix string, a, b any) []string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var out []string
	for i := 0; i < va.NumField(); i++ {
		f := va.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out = append(out, prefix+"."+name)
		}
	}
	return out
}

// dialectChanges names the dialect sections that differ (a limits
// section by its decoded value, another as written), as dialects.<name>,
// sorted.
func dialectChanges(old, next config.Dialects) []string {
	decoded := func(d config.Dialects, name string) any {
		var v any
		if n, ok := d.Sections[name]; ok {
			n.Decode(&v) // both sides decode the same way; an error leaves nil
		}
		return v
	}
	names := map[string]bool{}
	for _, d := range []config.Dialects{old, next} {
		for name := range d.Sections {
			names[name] = true
		}
		for name := range d.Limits {
			names[name] = true
		}
	}
	var out []string
	for name := range names {
		_, limits := old.Limits[name]
		if _, ok := next.Limits[name]; ok {
			limits = true
		}
		changed := !reflect.DeepEqual(decoded(old, name), decoded(next, name))
		if limits { // compared by value: 5MiB and 5242880 are the same
			changed = !reflect.DeepEqual(old.Limits[name], next.Limits[name])
		}
		if changed {
			out = append(out, "dialects."+name)
		}
	}
	sort.Strings(out)
	return out
}

// backendChanges names the backends added, removed or changed (type or
// options) between two configs, as backends.<name>.
func backendChanges(old, next []config.Backend) []string {
	decoded := func(b config.Backend) any {
		var v any
		b.Options.Decode(&v) // both sides decode the same way; an error leaves nil
		return v
	}
	before := map[string]config.Backend{}
	for _, b := range old {
		before[b.Name] = b
	}
	set := map[string]bool{}
	for _, b := range next {
		o, ok := before[b.Name]
		if !ok || o.Type != b.Type || !reflect.DeepEqual(decoded(o), decoded(b)) {
			set["backends."+b.Name] = true
		}
		delete(before, b.Name)
	}
	for name := range before {
		set["backends."+name] = true
	}
	out := make([]string, 0, len(set))
	for name := range set {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
