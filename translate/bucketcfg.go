package translate

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/babelgate/babelgate/translate/cors"
	"github.com/babelgate/babelgate/translate/policy"
)

// BucketDocs is an optional Backend ability: small documents the gateway
// keeps about a bucket (its policy, CORS rules, canned ACL), stored in the
// store itself, hidden from listings and out of clients' reach, so every
// instance over the same store reads the same and a restart loses
// nothing. A backend without it, or whose GetBucketDoc answers
// ErrNotImplemented (a wrapper of one without it), serves no bucket
// settings (setting one is NotImplemented).
type BucketDocs interface {
	// GetBucketDoc returns the document name of bucket: ErrNoSuchKey when
	// there is none, ErrNoSuchBucket.
	GetBucketDoc(ctx context.Context, bucket, name string) ([]byte, error)
	// PutBucketDoc stores the document, replacing any, atomically.
	PutBucketDoc(ctx context.Context, bucket, name string, data []byte) error
	// DeleteBucketDoc removes the document; a missing one is not an error.
	DeleteBucketDoc(ctx context.Context, bucket, name string) error
}

// The bucket documents' names. Their content is an on-store format.
const (
	DocPolicy = "policy.json" // storedPolicy as JSON
	DocCORS   = "cors.json"   // cors.Config as JSON
	DocACL    = "acl.json"    // {"acl": "public-read"}
)

// Canned bucket ACLs the gateway keeps.
const (
	ACLPrivate         = "private"
	ACLPublicRead      = "public-read"
	ACLPublicReadWrite = "public-read-write"
)

// BucketSettings is what the gateway keeps about a bucket besides its
// objects. The zero value is a private bucket with no policy or CORS rules.
type BucketSettings struct {
	Policy    *policy.Policy
	PolicyRaw []byte
	CORS      *cors.Config
	ACL       string
}

// storedPolicy is the policy document: the policy as the client sent it
// and the language it is written in.
type storedPolicy struct {
	Flavor policy.Flavor
	Policy string
}

// settingsCache holds recently read settings per front bucket for ttl.
type settingsCache struct {
	mu      sync.Mutex
	entries map[string]cachedSettings
}

type cachedSettings struct {
	s    BucketSettings
	read time.Time
}

// docs returns the BucketDocs bucket's documents live in, addressed by
// the front bucket name (a routed bucket's wrapper maps it, see
// routed.GetBucketDoc).
func (e *Engine) docs(bucket string) (BucketDocs, bool) {
	b, _ := e.route(bucket)
	d, ok := b.(BucketDocs)
	return d, ok
}

// BucketSettings returns bucket's settings, from a cache of at most
// EngineConfig.SettingsTTL old (0: read every time). A bucket that does not
// exist, or a backend without BucketDocs, has the zero settings.
func (e *Engine) BucketSettings(ctx context.Context, bucket string) (BucketSettings, error) {
	now := e.now()
	if e.settingsTTL > 0 {
		e.settings.mu.Lock()
		c, ok := e.settings.entries[bucket]
		e.settings.mu.Unlock()
		if ok && now.Sub(c.read) < e.settingsTTL {
			return c.s, nil
		}
	}
	s, err := e.readSettings(ctx, bucket)
	if err != nil {
		return s, err
	}
	if e.settingsTTL > 0 {
		e.settings.mu.Lock()
		if e.settings.entries == nil {
			e.settings.entries = map[string]cachedSettings{}
		}
		e.settings.entries[bucket] = cachedSettings{s: s, read: now}
		e.settings.mu.Unlock()
	}
	return s, nil
}

func (e *Engine) forget(bucket string) {
	e.settings.mu.Lock()
	delete(e.settings.entries, bucket)
	e.settings.mu.Unlock()
}

func (e *Engine) readSettings(ctx context.Context, bucket string) (BucketSettings, error) {
	var s BucketSettings
	d, ok := e.docs(bucket)
	if !ok || bucket == "" {
		return s, nil
	}
	read := func(name string) ([]byte, error) {
		data, err := d.GetBucketDoc(ctx, bucket, name)
		if c := CodeOf(err); c == ErrNoSuchKey || c == ErrNoSuchBucket || c == ErrNotImplemented || c == ErrInvalidBucketName {
			return nil, nil
		}
		return data, err
	}
	raw, err := read(DocPolicy)
	if err != nil {
		return s, err
	}
	if raw != nil {
		var sp storedPolicy
		if err := json.Unmarshal(raw, &sp); err != nil {
			return s, Wrap(ErrInternal, err, "stored bucket policy does not parse")
		}
		p, err := policy.ParseFlavor(sp.Flavor, bucket, []byte(sp.Policy))
		if err != nil {
			return s, Wrap(ErrInternal, err, "stored bucket policy does not parse")
		}
		s.Policy, s.PolicyRaw = p, []byte(sp.Policy)
	}
	raw, err = read(DocCORS)
	if err != nil {
		return s, err
	}
	if raw != nil {
		var c cors.Config
		if err := json.Unmarshal(raw, &c); err != nil {
			return s, Wrap(ErrInternal, err, "stored CORS rules do not parse")
		}
		s.CORS = &c
	}
	raw, err = read(DocACL)
	if err != nil {
		return s, err
	}
	if raw != nil {
		var a struct{ ACL string }
		if err := json.Unmarshal(raw, &a); err != nil {
			return s, Wrap(ErrInternal, err, "stored ACL does not parse")
		}
		s.ACL = a.ACL
	}
	return s, nil
}

// putDoc stores a bucket document for a caller allowed to write the
// bucket's configuration (its owner or a writer of it).
func (e *Engine) putDoc(ctx context.Context, c Caller, bucket, name string, data []byte) error {
	if err := authorize(c, bucket, AccessWrite); err != nil {
		return err
	}
	d, ok := e.docs(bucket)
	if !ok {
		return &Error{Code: ErrNotImplemented, Bucket: bucket, Message: "This backend keeps no bucket settings."}
	}
	b, _ := e.route(bucket)
	if _, err := b.HeadBucket(ctx, bucket); err != nil {
		return withBucket(err, bucket, "")
	}
	defer e.forget(bucket)
	if data == nil {
		return withBucket(d.DeleteBucketDoc(ctx, bucket, name), bucket, "")
	}
	return withBucket(d.PutBucketDoc(ctx, bucket, name, data), bucket, "")
}

// getSettings reads bucket's settings (uncached) for a caller allowed to
// read its configuration.
func (e *Engine) getSettings(ctx context.Context, c Caller, bucket string) (BucketSettings, error) {
	if err := authorize(c, bucket, AccessWrite); err != nil {
		return BucketSettings{}, err
	}
	b, _ := e.route(bucket)
	if _, err := b.HeadBucket(ctx, bucket); err != nil {
		return BucketSettings{}, withBucket(err, bucket, "")
	}
	e.forget(bucket)
	return e.readSettings(ctx, bucket)
}

// PutBucketPolicy parses doc, written in flavor f, as bucket's policy and
// stores it as sent. A policy that does not parse is ErrMalformedPolicy
// naming the fault, and nothing is stored.
func (e *Engine) PutBucketPolicy(ctx context.Context, c Caller, bucket string, f policy.Flavor, doc []byte) error {
	if _, err := policy.ParseFlavor(f, bucket, doc); err != nil {
		if err := authorize(c, bucket, AccessWrite); err != nil {
			return err
		}
		return &Error{Code: ErrMalformedPolicy, Bucket: bucket, Message: err.Error(), Err: err}
	}
	data, err := json.Marshal(storedPolicy{Flavor: f, Policy: string(doc)})
	if err != nil {
		return Wrap(ErrInternal, err, "")
	}
	return e.putDoc(ctx, c, bucket, DocPolicy, data)
}

// GetBucketPolicy returns the policy as it was set: ErrNoSuchBucketPolicy.
func (e *Engine) GetBucketPolicy(ctx context.Context, c Caller, bucket string) ([]byte, error) {
	s, err := e.getSettings(ctx, c, bucket)
	if err == nil && s.PolicyRaw == nil {
		err = &Error{Code: ErrNoSuchBucketPolicy, Bucket: bucket}
	}
	return s.PolicyRaw, err
}

// DeleteBucketPolicy removes the policy; none is not an error.
func (e *Engine) DeleteBucketPolicy(ctx context.Context, c Caller, bucket string) error {
	return e.putDoc(ctx, c, bucket, DocPolicy, nil)
}

// PutBucketCORS validates and stores bucket's CORS rules: a schema fault
// is ErrMalformedXML, an invalid value ErrInvalidRequest.
func (e *Engine) PutBucketCORS(ctx context.Context, c Caller, bucket string, cfg *cors.Config) error {
	if err := cfg.Validate(); err != nil {
		if err := authorize(c, bucket, AccessWrite); err != nil {
			return err
		}
		var ce *cors.Error
		code := ErrInvalidRequest
		if errors.As(err, &ce) && ce.Malformed {
			code = ErrMalformedXML
		}
		return &Error{Code: code, Bucket: bucket, Message: err.Error(), Err: err}
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		return Wrap(ErrInternal, err, "")
	}
	return e.putDoc(ctx, c, bucket, DocCORS, data)
}

// GetBucketCORS returns bucket's CORS rules: ErrNoSuchCORSConfiguration.
func (e *Engine) GetBucketCORS(ctx context.Context, c Caller, bucket string) (*cors.Config, error) {
	s, err := e.getSettings(ctx, c, bucket)
	if err == nil && s.CORS == nil {
		err = &Error{Code: ErrNoSuchCORSConfiguration, Bucket: bucket}
	}
	return s.CORS, err
}

// DeleteBucketCORS removes the CORS rules; none is not an error.
func (e *Engine) DeleteBucketCORS(ctx context.Context, c Caller, bucket string) error {
	return e.putDoc(ctx, c, bucket, DocCORS, nil)
}

// PutBucketACL sets bucket's canned ACL: private, public-read or
// public-read-write.
func (e *Engine) PutBucketACL(ctx context.Context, c Caller, bucket, acl string) error {
	switch acl {
	case ACLPrivate:
		return e.putDoc(ctx, c, bucket, DocACL, nil)
	case ACLPublicRead, ACLPublicReadWrite:
		data, _ := json.Marshal(struct{ ACL string }{acl})
		return e.putDoc(ctx, c, bucket, DocACL, data)
	}
	return &Error{Code: ErrInvalidArgument, Bucket: bucket, ArgName: "x-acl", ArgValue: acl, Message: "no such bucket access control exists"}
}

// GetBucketACL returns bucket's canned ACL ("private" when none was set).
func (e *Engine) GetBucketACL(ctx context.Context, c Caller, bucket string) (string, error) {
	if err := authorize(c, bucket, AccessRead); err != nil {
		return "", err
	}
	b, _ := e.route(bucket)
	if _, err := b.HeadBucket(ctx, bucket); err != nil {
		return "", withBucket(err, bucket, "")
	}
	s, err := e.readSettings(ctx, bucket)
	if err != nil || s.ACL == "" {
		return ACLPrivate, err
	}
	return s.ACL, nil
}

// ReservedKey reports whether key lies under the gateway's reserved
// prefix, which no anonymous request may reach.
func ReservedKey(key string) bool { return strings.HasPrefix(key, ".babelgate/") }
