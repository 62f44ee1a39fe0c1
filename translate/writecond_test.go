package translate_test

import (
	"context"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/babelgate/babelgate/backends/fs"
	"github.com/babelgate/babelgate/translate"
)

// TestParseWriteCond checks which conditional-write headers are taken and
// which AWS refuses with NotImplemented (If-None-Match other than "*", or
// both headers; as the conditional-writes guide and the SDKs' IfNoneMatch
// documentation, "Expects the '*' (asterisk) character", have it).
func TestParseWriteCond(t *testing.T) {
	for _, tc := range []struct {
		ifMatch, ifNoneMatch string
		want                 translate.WriteCond
		code                 translate.Code
	}{
		{"", "", translate.WriteCond{}, 0},
		{"", "*", translate.WriteCond{IfAbsent: true}, 0},
		{"", " * ", translate.WriteCond{IfAbsent: true}, 0},
		{`"0CC175B9C0F1B6A831C399E269772661"`, "", translate.WriteCond{IfMatch: "0cc175b9c0f1b6a831c399e269772661"}, 0},
		{"0cc175b9c0f1b6a831c399e269772661-2", "", translate.WriteCond{IfMatch: "0cc175b9c0f1b6a831c399e269772661-2"}, 0},
		{"", `"0cc175b9c0f1b6a831c399e269772661"`, translate.WriteCond{}, translate.ErrNotImplemented},
		{"abc", "*", translate.WriteCond{}, translate.ErrNotImplemented},
	} {
		got, err := translate.ParseWriteCond(tc.ifMatch, tc.ifNoneMatch)
		if got != tc.want || translate.CodeOf(err) != tc.code {
			t.Errorf("ParseWriteCond(%q, %q) = %+v, %v; want %+v, code %v", tc.ifMatch, tc.ifNoneMatch, got, err, tc.want, tc.code)
		}
		if tc.code == translate.ErrNotImplemented && translate.AsError(err).Message != "A header you provided implies functionality that is not implemented." {
			t.Errorf("ParseWriteCond(%q, %q) message = %q", tc.ifMatch, tc.ifNoneMatch, translate.AsError(err).Message)
		}
	}
}

// TestWriteCondCheck is the decision table backends apply at commit.
func TestWriteCondCheck(t *testing.T) {
	const etag = "900150983cd24fb0d6963f7d28e17f72"
	for _, tc := range []struct {
		cond   translate.WriteCond
		exists bool
		etag   string
		code   translate.Code
	}{
		{translate.WriteCond{}, true, etag, 0},
		{translate.WriteCond{}, false, "", 0},
		{translate.WriteCond{IfAbsent: true}, false, "", 0},
		{translate.WriteCond{IfAbsent: true}, true, etag, translate.ErrObjectExists},
		{translate.WriteCond{IfMatch: etag}, true, etag, 0},
		{translate.WriteCond{IfMatch: etag}, true, `"` + strings.ToUpper(etag) + `"`, 0},
		{translate.WriteCond{IfMatch: etag}, true, "d41d8cd98f00b204e9800998ecf8427e", translate.ErrPreconditionFailed},
		{translate.WriteCond{IfMatch: etag}, false, "", translate.ErrNoSuchKey},
	} {
		if err := tc.cond.Check(tc.exists, tc.etag); translate.CodeOf(err) != tc.code {
			t.Errorf("%+v.Check(%v, %q) = %v, want code %v", tc.cond, tc.exists, tc.etag, err, tc.code)
		}
	}
}

// condEngine is an engine over one fs backend whose clock is the real one
// moved by *shift, with a caller allowed everything under S3's rules (but
// 1-byte parts).
func condEngine(t *testing.T, shift *atomic.Int64, backend translate.Backend) (*translate.Engine, translate.Caller) {
	t.Helper()
	if backend == nil {
		b, err := fs.New(fs.Options{Root: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		backend = b
	}
	e, err := translate.NewEngine(translate.EngineConfig{Backends: map[string]translate.Backend{"fs": backend}, Default: "fs",
		Routes:         []translate.Route{{Bucket: "routed", Backend: "fs", BackendBucket: "store", KeyPrefix: "p/"}},
		UploadIDSecret: []byte("0123456789abcdef-writecond-test"),
		Now:            func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	rules := translate.S3Rules
	rules.MinPartSize = 1
	c := translate.Caller{Principal: &translate.Principal{AccessKey: "ak", Grants: []translate.Grant{{Pattern: "*", Access: translate.AccessWrite}}}, Rules: &rules}
	for _, b := range []string{"bkt", "store"} {
		if err := backend.CreateBucket(t.Context(), b); err != nil {
			t.Fatal(err)
		}
	}
	return e, c
}

func body(s string) translate.BodyInput {
	return translate.BodyInput{Reader: strings.NewReader(s), Size: int64(len(s))}
}

// TestEngineConditionalWrites runs Put, Copy and Complete with conditions
// through the engine onto fs, directly and through a routed bucket.
func TestEngineConditionalWrites(t *testing.T) {
	var shift atomic.Int64
	e, c := condEngine(t, &shift, nil)
	ctx := t.Context()
	for _, bucket := range []string{"bkt", "routed"} {
		put := func(key, data string, cond translate.WriteCond) (translate.ObjectInfo, error) {
			return e.PutObject(ctx, c, translate.PutRequest{Bucket: bucket, Key: key, Body: body(data), Cond: cond})
		}
		first, err := put("k", "first", translate.WriteCond{IfAbsent: true})
		if err != nil {
			t.Fatalf("%s: Put IfAbsent: %v", bucket, err)
		}
		_, err = put("k", "second", translate.WriteCond{IfAbsent: true})
		if te := translate.AsError(err); te.Code != translate.ErrObjectExists || te.Bucket != bucket || te.Key != "k" {
			t.Fatalf("%s: second Put IfAbsent = %+v, want ObjectExists naming %s/k", bucket, err, bucket)
		}
		if _, err := put("k", "second", translate.WriteCond{IfMatch: "d41d8cd98f00b204e9800998ecf8427e"}); translate.CodeOf(err) != translate.ErrPreconditionFailed {
			t.Fatalf("%s: Put IfMatch wrong = %v", bucket, err)
		}
		if _, err := put("k", "second", translate.WriteCond{IfMatch: first.ETag}); err != nil {
			t.Fatalf("%s: Put IfMatch right: %v", bucket, err)
		}
		cp := translate.CopyRequest{SrcBucket: bucket, SrcKey: "k", Bucket: bucket, Key: "copy", Cond: translate.WriteCond{IfAbsent: true}}
		if _, err := e.CopyObject(ctx, c, cp); err != nil {
			t.Fatalf("%s: Copy IfAbsent: %v", bucket, err)
		}
		if _, err := e.CopyObject(ctx, c, cp); translate.CodeOf(err) != translate.ErrObjectExists {
			t.Fatalf("%s: second Copy IfAbsent = %v", bucket, err)
		}
		id, _, err := e.CreateMultipartUpload(ctx, c, translate.CreateUploadRequest{Bucket: bucket, Key: "k"})
		if err != nil {
			t.Fatal(err)
		}
		part, _, err := e.UploadPart(ctx, c, translate.UploadPartRequest{Bucket: bucket, Key: "k", UploadID: id, PartNumber: 1, Body: body("part")})
		if err != nil {
			t.Fatal(err)
		}
		req := translate.CompleteUploadRequest{Bucket: bucket, Key: "k", UploadID: id, ObjectSize: -1,
			Parts: []translate.ClientPart{{Number: 1, ETag: part.ETag}}, Cond: translate.WriteCond{IfAbsent: true}}
		if _, err := e.CompleteMultipartUpload(ctx, c, req); translate.CodeOf(err) != translate.ErrObjectExists {
			t.Fatalf("%s: Complete IfAbsent over an object = %v", bucket, err)
		}
		req.Cond = translate.WriteCond{}
		if _, err := e.CompleteMultipartUpload(ctx, c, req); err != nil {
			t.Fatalf("%s: Complete after a refused one (the upload stays): %v", bucket, err)
		}
	}
}

// noCond hides a backend's ConditionalWriter ability.
type noCond struct{ translate.Backend }

// TestConditionalWriteUnsupported: a backend without the ability gets no
// conditional Put or Copy (NotImplemented), and unconditional ones still
// work.
func TestConditionalWriteUnsupported(t *testing.T) {
	b, err := fs.New(fs.Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var shift atomic.Int64
	e, c := condEngine(t, &shift, noCond{b})
	ctx := t.Context()
	if _, err := e.PutObject(ctx, c, translate.PutRequest{Bucket: "bkt", Key: "k", Body: body("x"), Cond: translate.WriteCond{IfAbsent: true}}); translate.CodeOf(err) != translate.ErrNotImplemented {
		t.Fatalf("conditional Put = %v, want NotImplemented", err)
	}
	if _, err := e.PutObject(ctx, c, translate.PutRequest{Bucket: "bkt", Key: "k", Body: body("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.CopyObject(ctx, c, translate.CopyRequest{SrcBucket: "bkt", SrcKey: "k", Bucket: "bkt", Key: "c",
		Cond: translate.WriteCond{IfMatch: "x"}}); translate.CodeOf(err) != translate.ErrNotImplemented {
		t.Fatalf("conditional Copy = %v, want NotImplemented", err)
	}
}

// TestCompleteTwice: the same Complete again answers with the object
// within CompleteRetryWindow; another part list, a later time or an
// overwrite get NoSuchUpload.
func TestCompleteTwice(t *testing.T) {
	var shift atomic.Int64
	e, c := condEngine(t, &shift, nil)
	ctx := t.Context()
	for _, bucket := range []string{"bkt", "routed"} {
		id, _, err := e.CreateMultipartUpload(ctx, c, translate.CreateUploadRequest{Bucket: bucket, Key: "mpu"})
		if err != nil {
			t.Fatal(err)
		}
		var parts []translate.ClientPart
		for n, data := range []string{"one", "two"} {
			p, _, err := e.UploadPart(ctx, c, translate.UploadPartRequest{Bucket: bucket, Key: "mpu", UploadID: id, PartNumber: n + 1, Body: body(data)})
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, translate.ClientPart{Number: n + 1, ETag: `"` + p.ETag + `"`})
		}
		req := translate.CompleteUploadRequest{Bucket: bucket, Key: "mpu", UploadID: id, ObjectSize: -1, Parts: parts}
		first, err := e.CompleteMultipartUpload(ctx, c, req)
		if err != nil {
			t.Fatal(err)
		}
		// The retry may quote ETags differently and carry a condition:
		// it is the same request.
		again := req
		again.Parts = []translate.ClientPart{{Number: 1, ETag: strings.Trim(parts[0].ETag, `"`)}, parts[1]}
		again.Cond = translate.WriteCond{IfAbsent: true}
		second, err := e.CompleteMultipartUpload(ctx, c, again)
		if err != nil || second.ETag != first.ETag || second.Size != first.Size {
			t.Fatalf("%s: Complete again = %+v, %v; want ETag %s", bucket, second, err, first.ETag)
		}
		other := req
		other.Parts = parts[:1]
		if _, err := e.CompleteMultipartUpload(ctx, c, other); translate.CodeOf(err) != translate.ErrNoSuchUpload {
			t.Fatalf("%s: Complete again with another part list = %v, want NoSuchUpload", bucket, err)
		}
		shift.Store(int64(translate.CompleteRetryWindow + time.Minute))
		if _, err := e.CompleteMultipartUpload(ctx, c, req); translate.CodeOf(err) != translate.ErrNoSuchUpload {
			t.Fatalf("%s: Complete again after the window = %v, want NoSuchUpload", bucket, err)
		}
		shift.Store(0)
		if _, err := e.PutObject(ctx, c, translate.PutRequest{Bucket: bucket, Key: "mpu", Body: body("overwritten")}); err != nil {
			t.Fatal(err)
		}
		_, err = e.CompleteMultipartUpload(ctx, c, req)
		if te := translate.AsError(err); te.Code != translate.ErrNoSuchUpload || te.UploadID != id {
			t.Fatalf("%s: Complete again after an overwrite = %+v, want NoSuchUpload naming the upload", bucket, err)
		}
	}
}

// TestAbortIfMatchInitiatedTime follows AWS's x-amz-if-match-initiated-time:
// another time is 412 and the upload stays, the right one aborts, and a
// missing upload then succeeds.
func TestAbortIfMatchInitiatedTime(t *testing.T) {
	var shift atomic.Int64
	e, c := condEngine(t, &shift, nil)
	ctx := context.Background()
	id, info, err := e.CreateMultipartUpload(ctx, c, translate.CreateUploadRequest{Bucket: "bkt", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.AbortMultipartUploadIf(ctx, c, "bkt", "k", id, info.Initiated.Add(-time.Hour)); translate.CodeOf(err) != translate.ErrPreconditionFailed {
		t.Fatalf("Abort with another initiated time = %v, want PreconditionFailed", err)
	}
	if _, _, err := e.ListParts(ctx, c, "bkt", "k", id, 0, 10); err != nil {
		t.Fatalf("the upload should stay: %v", err)
	}
	// The header has second precision (an HTTP date).
	if err := e.AbortMultipartUploadIf(ctx, c, "bkt", "k", id, info.Initiated.Truncate(time.Second)); err != nil {
		t.Fatalf("Abort with the initiated time: %v", err)
	}
	if err := e.AbortMultipartUploadIf(ctx, c, "bkt", "k", id, info.Initiated); err != nil {
		t.Fatalf("Abort of a missing upload with the header = %v, want success", err)
	}
	if err := e.AbortMultipartUpload(ctx, c, "bkt", "k", id); translate.CodeOf(err) != translate.ErrNoSuchUpload {
		t.Fatalf("Abort of a missing upload without the header = %v, want NoSuchUpload", err)
	}
}

// unread fails the test if the body is read.
type unread struct{ t *testing.T }

func (u unread) Read([]byte) (int, error) {
	u.t.Error("the body of a PutObject whose condition fails was read")
	return 0, io.EOF
}

// TestPutConditionFailsBeforeBody: a condition that fails when the request
// arrives is answered before the body is read.
func TestPutConditionFailsBeforeBody(t *testing.T) {
	var shift atomic.Int64
	e, c := condEngine(t, &shift, nil)
	ctx := t.Context()
	if _, err := e.PutObject(ctx, c, translate.PutRequest{Bucket: "bkt", Key: "k", Body: body("x")}); err != nil {
		t.Fatal(err)
	}
	for _, cond := range []translate.WriteCond{{IfAbsent: true}, {IfMatch: "d41d8cd98f00b204e9800998ecf8427e"}} {
		_, err := e.PutObject(ctx, c, translate.PutRequest{Bucket: "bkt", Key: "k", Cond: cond,
			Body: translate.BodyInput{Reader: unread{t}, Size: 1 << 30}})
		if code := translate.CodeOf(err); code != translate.ErrObjectExists && code != translate.ErrPreconditionFailed {
			t.Errorf("%+v: %v", cond, err)
		}
	}
	_, err := e.PutObject(ctx, c, translate.PutRequest{Bucket: "bkt", Key: "missing", Cond: translate.WriteCond{IfMatch: "abc"},
		Body: translate.BodyInput{Reader: unread{t}, Size: 1}})
	if translate.CodeOf(err) != translate.ErrNoSuchKey {
		t.Errorf("IfMatch on a missing key: %v", err)
	}
}
