package glacier

import (
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/dialects/obs"
	"github.com/babelgate/babelgate/dialects/oss"
	"github.com/babelgate/babelgate/dialects/s3"
	"github.com/babelgate/babelgate/translate"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestErrorTableComplete: every neutral code has a Glacier code, status and
// message (dialects/contract.go), and the codes are ones Glacier documents
// (botocore glacier/2012-06-01/service-2.json error shapes and the Glacier
// error-response page; protocols.md §4.4).
func TestErrorTableComplete(t *testing.T) {
	if problems := dialects.TableProblems(lookup); len(problems) > 0 {
		t.Fatalf("error table: %v", problems)
	}
	documented := map[string]int{
		"InvalidParameterValueException": 400, "MissingParameterValueException": 400, "ResourceNotFoundException": 404,
		"RequestTimeoutException": 408, "ServiceUnavailableException": 500, "LimitExceededException": 400,
		"AccessDeniedException": 403, "InvalidSignatureException": 403, "MissingAuthenticationTokenException": 400,
		"IncompleteSignatureException": 400, "UnrecognizedClientException": 403, "ThrottlingException": 400,
		"SerializationException": 400,
	}
	for c, w := range errorTable {
		if st, ok := documented[w.Code]; !ok || st != w.Status {
			t.Errorf("%v maps to %s %d, not a documented Glacier code and status", c, w.Code, w.Status)
		}
	}
}

// TestDetectRows: Glacier's rows claim SigV4 requests scoped to glacier and
// requests with x-amz-glacier-version, ahead of the AWS-signature row;
// every other request keeps its dialect (the built-in table of
// dialects/detect_test.go is unchanged).
func TestDetectRows(t *testing.T) {
	named := map[string]dialects.Dialect{}
	for _, n := range []string{s3.Name, oss.Name, obs.Name, Name} {
		named[n] = nameOnly(n)
	}
	d := dialects.NewDetector(dialects.DetectConfig{Dialects: named})
	tests := []struct {
		name   string
		target string
		header map[string]string
		want   string
	}{
		{"SigV4 scoped to glacier (boto3's capture, protocols.md §4.x.3)", "/-/vaults/v", map[string]string{
			"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/glacier/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"}, Name},
		{"presigned, scoped to glacier", "/-/vaults?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261206%2Fus-east-1%2Fglacier%2Faws4_request&X-Amz-Signature=00", nil, Name},
		{"x-amz-glacier-version alone", "/-/vaults", map[string]string{"x-amz-glacier-version": "2012-06-01"}, Name},
		{"SigV4 scoped to s3 stays S3", "/b/k", map[string]string{
			"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"}, s3.Name},
		{"a key named glacier stays S3", "/glacier/aws4_request", map[string]string{
			"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20261206/glacier/s3/aws4_request, SignedHeaders=host, Signature=00"}, s3.Name},
		{"SigV2 stays S3", "/-/vaults", map[string]string{"Authorization": "AWS ak:sig"}, s3.Name},
		{"OSS V4 stays OSS", "/b/k", map[string]string{"Authorization": "OSS4-HMAC-SHA256 Credential=ak/20250101/cn-hangzhou/oss/aliyun_v4_request,Signature=x"}, oss.Name},
		{"OBS stays OBS", "/b/k", map[string]string{"Authorization": "OBS ak:sig"}, obs.Name},
		{"anonymous stays S3", "/-/vaults", nil, s3.Name},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.target, nil)
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			if got := d.Detect(r).Name(); got != tt.want {
				t.Fatalf("detected %s, want %s", got, tt.want)
			}
		})
	}
}

type nameOnly string

func (n nameOnly) Name() string                                              { return string(n) }
func (n nameOnly) Begin(http.ResponseWriter, *dialects.Request)              {}
func (n nameOnly) Resolve(*dialects.Request) (dialects.Route, error)         { return dialects.Route{}, nil }
func (n nameOnly) EncodeError(http.ResponseWriter, *dialects.Request, error) {}
func (n nameOnly) Authenticate(*dialects.Request) (translate.Caller, error) {
	return translate.Caller{}, nil
}

// TestRegistered: the package registers itself with its rows and options.
func TestRegistered(t *testing.T) {
	p, ok := dialects.Lookup(Name)
	if !ok || len(p.Rows) != 2 || p.NewOptions == nil {
		t.Fatalf("glacier is not registered as expected: %+v", p)
	}
	if o, ok := p.NewOptions().(*Options); !ok || o.VaultBucketPrefix != "glacier-" {
		t.Fatalf("default options %+v", p.NewOptions())
	}
}

func TestContentRange(t *testing.T) {
	tests := []struct {
		in            string
		first, length int64
		ok            bool
	}{
		{"bytes 0-4194303/*", 0, 4194304, true}, // the model's example
		{"bytes 4194304-8388607/*", 4194304, 4194304, true},
		{"bytes 5-5/*", 5, 1, true},
		{"bytes 0-4194303/4194304", 0, 0, false}, // Glacier's total is "*"
		{"bytes=0-1/*", 0, 0, false},
		{"bytes 10-5/*", 0, 0, false},
		{"bytes -5/*", 0, 0, false},
		{"bytes 0-/*", 0, 0, false},
		{"bytes a-b/*", 0, 0, false},
		{"bytes 0-1", 0, 0, false},
		{"", 0, 0, false},
		{"bytes 0-99999999999999999999/*", 0, 0, false},
	}
	for _, tt := range tests {
		first, length, err := parseContentRange(tt.in)
		if (err == nil) != tt.ok || (tt.ok && (first != tt.first || length != tt.length)) {
			t.Errorf("%q: %d, %d, %v; want %d, %d, ok=%v", tt.in, first, length, err, tt.first, tt.length, tt.ok)
		}
	}
}

func TestPartSizes(t *testing.T) {
	for n, want := range map[int64]bool{1 << 20: true, 2 << 20: true, 8 << 20: true, 4 << 30: true,
		0: false, 1<<20 - 1: false, 3 << 20: false, 8 << 30: false, 1 << 19: false} {
		if validPartSize(n) != want {
			t.Errorf("validPartSize(%d) = %v", n, !want)
		}
	}
}

// TestTreeAligned: a range is tree-hash aligned when its tree hash is a
// node of the archive's tree (GetJobOutput returns the hash only then).
func TestTreeAligned(t *testing.T) {
	const M = 1 << 20
	tests := []struct {
		start, length, total int64
		want                 bool
	}{
		{0, 10 * M, 10 * M, true},
		{0, M, 10 * M, true},
		{M, M, 10 * M, true},
		{2 * M, 2 * M, 10 * M, true},
		{M, 2 * M, 10 * M, false}, // 1-3 MiB straddles two subtrees
		{2 * M, 3 * M, 10 * M, false},
		{8 * M, 2 * M, 10 * M, true}, // the tail subtree
		{8*M + 5, M, 10 * M, false},
		{9 * M, 5, 9*M + 5, true},
		{0, 4 * M, 3*M + 1, false},
	}
	for _, tt := range tests {
		if got := treeAligned(tt.start, tt.length, tt.total); got != tt.want {
			t.Errorf("treeAligned(%d, %d, %d) = %v", tt.start, tt.length, tt.total, got)
		}
	}
}

func TestOutputRange(t *testing.T) {
	tests := []struct {
		in            string
		start, length int64
		partial, ok   bool
	}{
		{"", 0, 100, false, true},
		{"bytes=0-9", 0, 10, true, true},
		{"bytes=90-", 90, 10, true, true},
		{"bytes=-10", 90, 10, true, true},
		{"bytes=50-1000", 50, 50, true, true},
		{"bytes=100-", 0, 0, false, false},
		{"bytes=5-1", 0, 0, false, false},
		{"bytes=0-1,3-4", 0, 0, false, false},
		{"items=0-1", 0, 0, false, false},
	}
	for _, tt := range tests {
		s, l, p, err := outputRange(tt.in, 100)
		if (err == nil) != tt.ok || (tt.ok && (s != tt.start || l != tt.length || p != tt.partial)) {
			t.Errorf("%q: %d %d %v %v", tt.in, s, l, p, err)
		}
	}
}

// TestVaultBucket: the documented mapping (vault.go, README).
func TestVaultBucket(t *testing.T) {
	d, err := New(Config{UploadIDSecret: []byte("0123456789abcdef0123"), Options: *DefaultOptions()})
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"photos":                "glacier-photos",
		"my-vault.2024":         "glacier-my-vault.2024",
		"Photos":                "", // hashed
		"a_b":                   "",
		"ends-":                 "",
		strings.Repeat("x", 60): "",
	}
	for vault, want := range tests {
		got := d.VaultBucket(vault)
		if !translate.ValidBucketName(got) {
			t.Errorf("%q maps to %q, not a valid bucket name", vault, got)
		}
		if want != "" && got != want {
			t.Errorf("%q maps to %q, want %q", vault, got, want)
		}
		if want == "" {
			if !strings.HasPrefix(got, "glacier--") || len(got) != len("glacier--")+24 {
				t.Errorf("%q maps to %q, want the hashed form", vault, got)
			}
		}
	}
	if d.VaultBucket("Photos") == d.VaultBucket("photos") {
		t.Error("Photos and photos share a bucket")
	}
}

func TestAccountID(t *testing.T) {
	a := AccountID("AKIDEXAMPLE")
	if len(a) != 12 || strings.Trim(a, "0123456789") != "" || a == AccountID("AKIDOTHER") || a != AccountID("AKIDEXAMPLE") {
		t.Fatalf("AccountID = %q", a)
	}
}

func TestOptionsCheck(t *testing.T) {
	for _, tt := range []struct {
		edit  func(*Options)
		field string
	}{
		{func(o *Options) {}, ""},
		{func(o *Options) { o.VaultBucketPrefix = "Bad_" }, "vault_bucket_prefix"},
		{func(o *Options) { o.VaultBucketPrefix = "" }, "vault_bucket_prefix"},
		{func(o *Options) { o.JobDelay = "soon" }, "job_delay"},
		{func(o *Options) { o.JobDelay = "-1s" }, "job_delay"},
		{func(o *Options) { o.CompleteIdempotency = "x" }, "complete_idempotency"},
		{func(o *Options) { o.Region = "" }, "region"},
	} {
		o := DefaultOptions()
		tt.edit(o)
		if field, _ := o.Check(); field != tt.field {
			t.Errorf("%+v: field %q, want %q", o, field, tt.field)
		}
	}
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s:\n got %s\nwant %s", name, got, want)
	}
}

// TestEncoders: the JSON documents against golden files holding the shapes
// of botocore's glacier service-2.json (DescribeVaultOutput,
// ListPartsOutput, GlacierJobDescription, the error shapes' code, message
// and type).
func TestEncoders(t *testing.T) {
	d, err := New(Config{UploadIDSecret: []byte("0123456789abcdef0123"), Options: *DefaultOptions(),
		Now: func() time.Time { return time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	r := &dialects.Request{Caller: translate.Caller{Principal: &translate.Principal{AccessKey: "AKIDEXAMPLE"}}}
	created := time.Date(2026, 12, 6, 5, 59, 58, 123e6, time.UTC)

	w := httptest.NewRecorder()
	writeJSON(w, 200, vaultDescription{VaultARN: d.vaultARN(r, "photos"), VaultName: "photos", CreationDate: isoTime(created), NumberOfArchives: 2, SizeInBytes: 3145733})
	golden(t, "describe_vault.json", w.Body.Bytes())

	h := "5093c49996801e772255208a90f00c4d3d2690a19a1786012a427958986547ec"
	m := "2"
	w = httptest.NewRecorder()
	writeJSON(w, 200, listPartsJSON{"UPLOADID", d.vaultARN(r, "photos"), nil, 1 << 20, isoTime(created),
		[]partJSON{{"0-1048575", &h}, {"1048576-2097151", &h}}, &m})
	golden(t, "list_parts.json", w.Body.Bytes())

	for _, tt := range []struct {
		name string
		job  jobRecord
	}{
		{"job_archive_done.json", jobRecord{JobID: "JOB", Action: "ArchiveRetrieval", VaultName: "photos", Tier: "Standard",
			ArchiveID: "ARCHIVE", ArchiveSize: 3145733, ArchiveTreeHash: h, RetrievalByteRange: "0-3145732", TreeHash: h, Created: created}},
		{"job_inventory_pending.json", jobRecord{JobID: "JOB", Action: "InventoryRetrieval", VaultName: "photos", Tier: "Standard",
			Description: "nightly", InventorySize: 630, Created: created, Delay: time.Hour}},
	} {
		w = httptest.NewRecorder()
		writeJSON(w, 200, d.jobJSON(r, &tt.job))
		golden(t, tt.name, w.Body.Bytes())
	}

	w = httptest.NewRecorder()
	d.EncodeError(w, r, notFound("Vault not found for ARN: "+d.vaultARN(r, "nope")))
	if w.Code != 404 || w.Header().Get("x-amzn-ErrorType") != "ResourceNotFoundException" || w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("error: %d %v", w.Code, w.Header())
	}
	golden(t, "error_not_found.json", w.Body.Bytes())
	w = httptest.NewRecorder()
	d.EncodeError(w, r, &translate.Error{Code: translate.ErrInternal, Message: "disk on fire"})
	if w.Code != 500 || strings.Contains(w.Body.String(), "fire") {
		t.Errorf("internal error leaks or has the wrong status: %d %s", w.Code, w.Body)
	}
	golden(t, "error_internal.json", w.Body.Bytes())
}
