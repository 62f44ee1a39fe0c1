package translate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync/atomic"
	"time"
)

// Caller is who makes a request and under which front rules: the
// authenticated principal and the rules of the dialect the client speaks.
type Caller struct {
	Principal *Principal
	Rules     *Rules
}

// BodyInput is a request body as a dialect decoded it: the payload stream
// (any transfer framing already removed), its declared size, and the
// integrity values the client sent. The engine adds the algorithms it needs
// and wraps it in a Body.
type BodyInput struct {
	Reader  io.Reader
	Size    int64 // -1 when unknown
	Options BodyOptions
}

// Engine carries out neutral requests on the configured backends. It owns
// every decision that is not wire-specific: access checks, validation
// against the front rules, upload tokens, ETags and checksums. It holds no
// upload state of its own, so any number of engines with the same
// configuration serve any step of any upload.
type Engine struct {
	backends map[string]Backend
	deflt    string
	// routes is the route table by front bucket; SetRoutes replaces it
	// whole while requests run.
	routes atomic.Pointer[map[string]Route]
	sealer *Sealer
	now    func() time.Time
	// readCopies bounds the copies on first read in flight.
	readCopies chan struct{}
	// settings caches bucket settings for settingsTTL (bucketcfg.go);
	// anonymous holds the config's anonymous grants (access.go).
	settings    settingsCache
	settingsTTL time.Duration
	anonymous   atomic.Pointer[[]AnonymousGrant]
}

// EngineConfig configures an Engine.
type EngineConfig struct {
	// Backends by name; Default names the one that holds every bucket no
	// route names.
	Backends map[string]Backend
	Default  string
	// Routes send front buckets elsewhere.
	Routes []Route
	// UploadIDSecret seals client upload IDs (at least 16 bytes).
	UploadIDSecret []byte
	// Now is the engine's clock (upload initiation times, the window of
	// CompleteRetryWindow); nil is time.Now.
	Now func() time.Time
	// SettingsTTL is how long bucket settings (policy, CORS rules, ACL)
	// read from the store are reused before they are read again; 0 reads
	// them for every request that needs them. Changes made through this
	// engine apply at once; those made through another instance within
	// SettingsTTL.
	SettingsTTL time.Duration
	// Anonymous are the config's grants to unsigned requests.
	Anonymous []AnonymousGrant
}

// NewEngine checks cfg and returns an Engine.
func NewEngine(cfg EngineConfig) (*Engine, error) {
	if _, ok := cfg.Backends[cfg.Default]; !ok {
		return nil, fmt.Errorf("engine: default backend %q is not configured", cfg.Default)
	}
	s, err := NewSealer(cfg.UploadIDSecret)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	e := &Engine{backends: cfg.Backends, deflt: cfg.Default, sealer: s, now: now, readCopies: make(chan struct{}, 4),
		settingsTTL: cfg.SettingsTTL}
	e.SetAnonymous(cfg.Anonymous)
	if err := e.SetRoutes(cfg.Routes); err != nil {
		return nil, err
	}
	return e, nil
}

// SetRoutes checks routes and, if they are valid, makes them the engine's
// route table at once; otherwise the table in force stays. Routes may only
// name backends the engine was built with. A request sees one table, the
// old or the new: one that already began keeps the backend it resolved, so
// an upload in flight on a bucket whose route changed continues on its old
// backend until its next request. Safe for concurrent use.
func (e *Engine) SetRoutes(routes []Route) error {
	table := make(map[string]Route, len(routes))
	for _, r := range routes {
		if _, ok := e.backends[r.Backend]; !ok {
			return fmt.Errorf("engine: route for bucket %q names backend %q, which is not configured", r.Bucket, r.Backend)
		}
		if r.Source != nil {
			if _, ok := e.backends[r.Source.Backend]; !ok {
				return fmt.Errorf("engine: route for bucket %q migrates from backend %q, which is not configured", r.Bucket, r.Source.Backend)
			}
			src := *r.Source
			if src.Bucket == "" {
				src.Bucket = r.Bucket
			}
			r.Source = &src
		}
		if _, dup := table[r.Bucket]; dup {
			return fmt.Errorf("engine: bucket %q is routed twice", r.Bucket)
		}
		if r.BackendBucket == "" {
			r.BackendBucket = r.Bucket
		}
		table[r.Bucket] = r
	}
	e.routes.Store(&table)
	return nil
}

// routeTable returns the route table in force.
func (e *Engine) routeTable() map[string]Route { return *e.routes.Load() }

// route returns the backend holding a front bucket, as a Backend that
// speaks in front names, and the backend's name.
func (e *Engine) route(bucket string) (Backend, string) {
	return e.routeIn(e.routeTable(), bucket)
}

// routeIn is route on a given table.
func (e *Engine) routeIn(routes map[string]Route, bucket string) (Backend, string) {
	if r, ok := routes[bucket]; ok {
		if r.Source != nil {
			return e.migratingRoute(bucket, r), r.Backend
		}
		if r.BackendBucket == bucket && r.KeyPrefix == "" {
			return e.backends[r.Backend], r.Backend
		}
		return &routed{b: e.backends[r.Backend], front: bucket, bucket: r.BackendBucket, prefix: r.KeyPrefix}, r.Backend
	}
	return e.backends[e.deflt], e.deflt
}

// location returns where a front object lives: the backend's name, its
// bucket and its key there.
func (e *Engine) location(bucket, key string) (name, backendBucket, backendKey string) {
	if r, ok := e.routeTable()[bucket]; ok {
		if r.Source != nil {
			// The key may be on either side: copies from a migrating
			// bucket pass through the gateway.
			return "\x00migrating", bucket, key
		}
		return r.Backend, r.BackendBucket, r.KeyPrefix + key
	}
	return e.deflt, bucket, key
}

// authorize checks the caller may perform op on bucket.
func authorize(c Caller, bucket string, access Access) error {
	if !c.Principal.Allowed(bucket, access) {
		return &Error{Code: ErrAccessDenied, Bucket: bucket, Message: "Access Denied"}
	}
	return nil
}

// ListBuckets returns the buckets the caller may read: the default
// backend's own (less those a route claims, by front or backend name) and
// every routed bucket that exists.
func (e *Engine) ListBuckets(ctx context.Context, c Caller) ([]BucketInfo, error) {
	var out []BucketInfo
	hidden := map[string]bool{}
	routes := e.routeTable() // one table for the whole listing
	for front, r := range routes {
		hidden[front] = true
		if r.Backend == e.deflt {
			hidden[r.BackendBucket] = true
		}
		if r.Source != nil && r.Source.Backend == e.deflt {
			hidden[r.Source.Bucket] = true
		}
	}
	bs, err := e.backends[e.deflt].ListBuckets(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range bs {
		if !hidden[b.Name] && c.Principal.Allowed(b.Name, AccessRead) {
			out = append(out, b)
		}
	}
	for front := range routes {
		if !c.Principal.Allowed(front, AccessRead) {
			continue
		}
		b, _ := e.routeIn(routes, front)
		if info, err := b.HeadBucket(ctx, front); err == nil {
			info.Name = front
			out = append(out, info)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// CreateBucket creates a bucket the caller may write, named as the
// caller's rules allow (Rules.CheckBucketName).
func (e *Engine) CreateBucket(ctx context.Context, c Caller, bucket string) error {
	if err := c.Rules.CheckBucketName(bucket); err != nil {
		return err
	}
	if err := authorize(c, bucket, AccessWrite); err != nil {
		return err
	}
	b, _ := e.route(bucket)
	return withBucket(b.CreateBucket(ctx, bucket), bucket, "")
}

// HeadBucket checks a bucket exists and the caller may read it.
func (e *Engine) HeadBucket(ctx context.Context, c Caller, bucket string) (BucketInfo, error) {
	if err := authorize(c, bucket, AccessRead); err != nil {
		return BucketInfo{}, err
	}
	b, _ := e.route(bucket)
	info, err := b.HeadBucket(ctx, bucket)
	return info, withBucket(err, bucket, "")
}

// DeleteBucket deletes an empty bucket.
func (e *Engine) DeleteBucket(ctx context.Context, c Caller, bucket string) error {
	if err := authorize(c, bucket, AccessWrite); err != nil {
		return err
	}
	b, _ := e.route(bucket)
	return withBucket(b.DeleteBucket(ctx, bucket), bucket, "")
}

// ListObjects returns one page of a listing. MaxKeys above 1000 is capped
// at 1000, as S3 does.
func (e *Engine) ListObjects(ctx context.Context, c Caller, bucket string, q ListQuery) (ListPage, error) {
	if err := authorize(c, bucket, AccessRead); err != nil {
		return ListPage{}, err
	}
	if q.MaxKeys < 0 {
		return ListPage{}, &Error{Code: ErrInvalidArgument, ArgName: "max-keys", ArgValue: fmt.Sprint(q.MaxKeys), Message: "max-keys cannot be negative"}
	}
	if q.MaxKeys > 1000 {
		q.MaxKeys = 1000
	}
	b, _ := e.route(bucket)
	page, err := b.ListObjects(ctx, bucket, q)
	return page, withBucket(err, bucket, "")
}

// withBucket fills the bucket and key into a neutral error that lacks them.
func withBucket(err error, bucket, key string) error {
	if err == nil {
		return nil
	}
	var te *Error
	if errors.As(err, &te) {
		if te.Bucket == "" {
			te.Bucket = bucket
		}
		if te.Key == "" {
			te.Key = key
		}
		return te
	}
	return &Error{Code: ErrInternal, Bucket: bucket, Key: key, Err: err}
}
