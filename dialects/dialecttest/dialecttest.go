// Package dialecttest is the scaffolding the dialects' tests share: the
// contract every dialect keeps (its error table is complete, its routing
// table reaches every operation), table-driven routing checks, the
// pipeline's view of a test request, a user with write access and an
// engine over a backend the test chooses. It is imported by tests only.
package dialecttest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// ErrorTableComplete fails t for every neutral code the dialect's error
// table (read through lookup) lacks or maps to an incomplete entry (see
// dialects.TableProblems).
func ErrorTableComplete(t testing.TB, dialect string, lookup func(translate.Code) (dialects.WireForm, bool)) {
	t.Helper()
	for _, p := range dialects.TableProblems(lookup) {
		t.Errorf("%s error table: %s", dialect, p)
	}
}

// EveryOpRouted fails t for every neutral operation a dialect's routing
// table (the ops it routes) does not reach.
func EveryOpRouted(t testing.TB, routed []translate.Op) {
	t.Helper()
	for _, op := range dialects.UnroutedOps(routed) {
		t.Errorf("%v is not routed", op)
	}
}

// ResolveCase is one routing check: a request (Method, Target and, if
// set, a Header sent with the value "src/key", a copy source) and the
// operation it must resolve to, or the code it must fail with. It is an
// unnamed struct type so that a dialect's table lists one case a line.
type ResolveCase = struct {
	Method, Target, Header string
	Want                   translate.Op
	WantErr                translate.Code
}

// Resolve runs each case as a subtest: the request, addressed path-style,
// is resolved by resolve (a dialect's Resolve), which must answer the
// case's operation or fail with its code.
func Resolve(t *testing.T, resolve func(*dialects.Request) (dialects.Route, error), cases []ResolveCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Method+" "+tt.Target, func(t *testing.T) {
			hr := httptest.NewRequest(tt.Method, tt.Target, nil)
			if tt.Header != "" {
				hr.Header.Set(tt.Header, "src/key")
			}
			rt, err := resolve(Request(hr, dialects.Addressing{}))
			if got := translate.CodeOf(err); got != tt.WantErr {
				t.Fatalf("error %v, want code %v", err, tt.WantErr)
			}
			if err == nil && rt.Op != tt.Want {
				t.Fatalf("op %v, want %v", rt.Op, tt.Want)
			}
		})
	}
}

// Request is the pipeline's view of hr addressed by a: its query, bucket,
// key and addressing style, request ID REQ1 and host ID HOST1.
func Request(hr *http.Request, a dialects.Addressing) *dialects.Request {
	r := &dialects.Request{HTTP: hr, Query: hr.URL.Query(), ID: "REQ1", HostID: "HOST1"}
	r.Bucket, r.Key, r.VirtualHosted = a.Resolve(hr)
	return r
}

// Writer returns the credentials of one user, accessKey with secret, who
// may write every bucket.
func Writer(accessKey, secret string) dialects.StaticCredentials {
	return dialects.StaticCredentials{accessKey: {Secret: secret, Principal: &translate.Principal{AccessKey: accessKey,
		Grants: []translate.Grant{{Pattern: "*", Access: translate.AccessWrite}}}}}
}

// Engine returns an engine whose only and default backend is be, sealing
// upload IDs with uploadIDSecret.
func Engine(t testing.TB, be translate.Backend, uploadIDSecret string) *translate.Engine {
	t.Helper()
	engine, err := translate.NewEngine(translate.EngineConfig{Backends: map[string]translate.Backend{"local": be},
		Default: "local", UploadIDSecret: []byte(uploadIDSecret)})
	if err != nil {
		t.Fatal(err)
	}
	return engine
}

// Contains fails t for each of want that doc (what names it) lacks.
func Contains(t testing.TB, what, doc string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(doc, w) {
			t.Errorf("%s lacks %s: %s", what, w, doc)
		}
	}
}
