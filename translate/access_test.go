package translate_test

import (
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/babelgate/babelgate/backends/fs"
	"github.com/babelgate/babelgate/translate"
	"github.com/babelgate/babelgate/translate/cors"
	"github.com/babelgate/babelgate/translate/policy"
)

// TestAuthorize: the engine combines the config's anonymous grants, the
// bucket's ACL and policy and the caller's own grants as AWS combines
// identity and resource policies; settings live in the backend, apart per
// routed front bucket.
func TestAuthorize(t *testing.T) {
	ctx := context.Background()
	be, err := fs.New(fs.Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := be.CreateBucket(ctx, "store"); err != nil {
		t.Fatal(err)
	}
	e, err := translate.NewEngine(translate.EngineConfig{Backends: map[string]translate.Backend{"fs": be}, Default: "fs",
		UploadIDSecret: []byte("0123456789abcdef-access-test"),
		Routes: []translate.Route{{Bucket: "front-a", Backend: "fs", BackendBucket: "store", KeyPrefix: "a/"},
			{Bucket: "front-b", Backend: "fs", BackendBucket: "store", KeyPrefix: "b/"}},
		Anonymous: []translate.AnonymousGrant{{Bucket: "assets", Prefix: "public/"}}})
	if err != nil {
		t.Fatal(err)
	}
	owner := translate.Caller{Principal: &translate.Principal{AccessKey: "OWNER", Grants: []translate.Grant{{Pattern: "*", Access: translate.AccessWrite}}}}
	reader := translate.Caller{Principal: &translate.Principal{AccessKey: "READER", Grants: []translate.Grant{{Pattern: "assets", Access: translate.AccessRead}}}}
	anon := translate.Caller{}
	for _, b := range []string{"assets", "site"} {
		if err := e.CreateBucket(ctx, owner, b); err != nil {
			t.Fatal(err)
		}
	}
	pol := `{"Statement":[
	  {"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::site/inbox/*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.1"}}},
	  {"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::site/open/*"},
	  {"Effect":"Deny","Principal":{"AWS":"OWNER"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::site/keep/*"}]}`
	if err := e.PutBucketPolicy(ctx, owner, "site", policy.AWS, []byte(pol)); err != nil {
		t.Fatal(err)
	}
	lo := net.ParseIP("127.0.0.1")
	type outcome int
	const (
		unchanged outcome = iota // no elevation: the caller's own grants decide
		elevated
		denied
	)
	cases := []struct {
		name string
		c    translate.Caller
		q    translate.AccessRequest
		want outcome
	}{
		{"anonymous config grant", anon, translate.AccessRequest{Op: translate.OpGetObject, Bucket: "assets", Key: "public/a"}, elevated},
		{"anonymous outside the prefix", anon, translate.AccessRequest{Op: translate.OpGetObject, Bucket: "assets", Key: "private/a"}, unchanged},
		{"anonymous listing under the prefix", anon, translate.AccessRequest{Op: translate.OpListObjectsV2, Bucket: "assets", ListPrefix: "public/x"}, elevated},
		{"anonymous listing of all", anon, translate.AccessRequest{Op: translate.OpListObjects, Bucket: "assets"}, unchanged},
		{"anonymous write never by config", anon, translate.AccessRequest{Op: translate.OpPutObject, Bucket: "assets", Key: "public/a"}, unchanged},
		{"anonymous reserved key", anon, translate.AccessRequest{Op: translate.OpGetObject, Bucket: "site", Key: ".babelgate/bucket/policy.json"}, unchanged},
		{"policy allows anonymous put from loopback", anon, translate.AccessRequest{Op: translate.OpPutObject, Bucket: "site", Key: "inbox/x", SourceIP: lo}, elevated},
		{"not from elsewhere", anon, translate.AccessRequest{Op: translate.OpPutObject, Bucket: "site", Key: "inbox/x", SourceIP: net.ParseIP("10.1.1.1")}, unchanged},
		{"multipart parts are puts", anon, translate.AccessRequest{Op: translate.OpUploadPart, Bucket: "site", Key: "inbox/x", SourceIP: lo}, elevated},
		{"policy never grants a copy", anon, translate.AccessRequest{Op: translate.OpCopyObject, Bucket: "site", Key: "open/x"}, unchanged},
		{"policy allows a reader elsewhere", reader, translate.AccessRequest{Op: translate.OpGetObject, Bucket: "site", Key: "open/x"}, elevated},
		{"deny beats the owner's grant", owner, translate.AccessRequest{Op: translate.OpDeleteObject, Bucket: "site", Key: "keep/x"}, denied},
		{"deny is only where it says", owner, translate.AccessRequest{Op: translate.OpDeleteObject, Bucket: "site", Key: "open/x"}, unchanged},
		{"listing buckets", anon, translate.AccessRequest{Op: translate.OpListBuckets}, unchanged},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.Authorize(ctx, tc.c, tc.q)
			switch {
			case tc.want == denied:
				if translate.CodeOf(err) != translate.ErrAccessDenied {
					t.Fatalf("error %v, want AccessDenied", err)
				}
			case err != nil:
				t.Fatal(err)
			case tc.want == elevated:
				if got.Principal == nil || !got.Principal.Allowed(tc.q.Bucket, tc.q.Op.Access()) {
					t.Fatalf("not elevated: %+v", got.Principal)
				}
			case got.Principal != tc.c.Principal:
				t.Fatalf("caller changed: %+v", got.Principal)
			}
		})
	}

	// The public-read ACL lets anyone read and list, never write.
	if err := e.PutBucketACL(ctx, owner, "site", translate.ACLPublicRead); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.Authorize(ctx, anon, translate.AccessRequest{Op: translate.OpGetObject, Bucket: "site", Key: "x"}); got.Principal == nil {
		t.Error("public-read: anonymous GET not allowed")
	}
	if got, _ := e.Authorize(ctx, anon, translate.AccessRequest{Op: translate.OpDeleteObject, Bucket: "site", Key: "x"}); got.Principal != nil {
		t.Error("public-read: anonymous DELETE allowed")
	}
	if acl, err := e.GetBucketACL(ctx, owner, "site"); err != nil || acl != translate.ACLPublicRead {
		t.Errorf("GetBucketACL = %q, %v", acl, err)
	}
	if err := e.PutBucketACL(ctx, owner, "site", "authenticated-read"); translate.CodeOf(err) != translate.ErrInvalidArgument {
		t.Errorf("unknown ACL: %v", err)
	}

	// Settings need write access; a malformed policy names its fault and
	// replaces nothing.
	if err := e.PutBucketPolicy(ctx, reader, "assets", policy.AWS, []byte(pol)); translate.CodeOf(err) != translate.ErrAccessDenied {
		t.Errorf("a reader set a policy: %v", err)
	}
	err = e.PutBucketPolicy(ctx, owner, "site", policy.AWS, []byte(`{"Statement":[]}`))
	if translate.CodeOf(err) != translate.ErrMalformedPolicy || !strings.Contains(err.Error(), "Statement is empty") {
		t.Errorf("malformed policy: %v", err)
	}
	if got, err := e.GetBucketPolicy(ctx, owner, "site"); err != nil || string(got) != pol {
		t.Errorf("GetBucketPolicy after a refused Put = %q, %v", got, err)
	}
	if _, err := e.GetBucketPolicy(ctx, owner, "nosuch"); translate.CodeOf(err) != translate.ErrNoSuchBucket {
		t.Errorf("GetBucketPolicy of a missing bucket: %v", err)
	}

	// Two front buckets routed into one backend bucket keep apart settings.
	rules := &cors.Config{Rules: []cors.Rule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}, MaxAgeSeconds: -1}}}
	if err := e.PutBucketCORS(ctx, owner, "front-a", rules); err != nil {
		t.Fatal(err)
	}
	if _, err := e.GetBucketCORS(ctx, owner, "front-b"); translate.CodeOf(err) != translate.ErrNoSuchCORSConfiguration {
		t.Errorf("front-b sees front-a's rules: %v", err)
	}
	if got, err := e.GetBucketCORS(ctx, owner, "front-a"); err != nil || len(got.Rules) != 1 {
		t.Errorf("front-a's rules: %+v, %v", got, err)
	}
	bad := &cors.Config{Rules: []cors.Rule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"PATCH"}}}}
	if err := e.PutBucketCORS(ctx, owner, "front-a", bad); translate.CodeOf(err) != translate.ErrInvalidRequest {
		t.Errorf("bad CORS rule: %v", err)
	}
	// Settings are hidden from listings.
	page, err := e.ListObjects(ctx, owner, "site", translate.ListQuery{MaxKeys: 100})
	if err != nil || len(page.Objects) != 0 {
		t.Errorf("listing shows %+v, %v", page.Objects, err)
	}
}

// TestMigratingBucketSettings: a migrating bucket's settings are written
// to the destination and read from the source until the destination has
// them.
func TestMigratingBucketSettings(t *testing.T) {
	ctx := context.Background()
	be, err := fs.New(fs.Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"moving-old", "moving-new"} {
		if err := be.CreateBucket(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	// The source already had CORS rules, as the front bucket "moving" kept
	// them before the migration began.
	old, _ := json.Marshal(cors.Config{Rules: []cors.Rule{{ID: "old", AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}, MaxAgeSeconds: -1}}})
	if err := be.PutBucketDoc(ctx, "moving-old", "route-moving-"+translate.DocCORS, old); err != nil {
		t.Fatal(err)
	}
	e, err := translate.NewEngine(translate.EngineConfig{Backends: map[string]translate.Backend{"fs": be}, Default: "fs",
		UploadIDSecret: []byte("0123456789abcdef-access-test"),
		Routes: []translate.Route{{Bucket: "moving", Backend: "fs", BackendBucket: "moving-new",
			Source: &translate.RouteSide{Backend: "fs", Bucket: "moving-old"}}}})
	if err != nil {
		t.Fatal(err)
	}
	owner := translate.Caller{Principal: &translate.Principal{AccessKey: "OWNER", Grants: []translate.Grant{{Pattern: "*", Access: translate.AccessWrite}}}}
	if got, err := e.GetBucketCORS(ctx, owner, "moving"); err != nil || got.Rules[0].ID != "old" {
		t.Fatalf("the source's rules: %+v, %v", got, err)
	}
	next := &cors.Config{Rules: []cors.Rule{{ID: "new", AllowedOrigins: []string{"*"}, AllowedMethods: []string{"PUT"}, MaxAgeSeconds: -1}}}
	if err := e.PutBucketCORS(ctx, owner, "moving", next); err != nil {
		t.Fatal(err)
	}
	if got, err := e.GetBucketCORS(ctx, owner, "moving"); err != nil || got.Rules[0].ID != "new" {
		t.Fatalf("the destination's rules: %+v, %v", got, err)
	}
	if _, err := be.GetBucketDoc(ctx, "moving-new", "route-moving-"+translate.DocCORS); err != nil {
		t.Fatalf("not written to the destination: %v", err)
	}
	if err := e.DeleteBucketCORS(ctx, owner, "moving"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.GetBucketCORS(ctx, owner, "moving"); translate.CodeOf(err) != translate.ErrNoSuchCORSConfiguration {
		t.Fatalf("after DeleteBucketCors the source's rules show through: %v", err)
	}
}
