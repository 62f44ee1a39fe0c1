package s3

import (
	"net/http/httptest"
	"testing"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// TestConditionalWriteErrors pins the wire form of the conditional-write
// failures: If-None-Match: * over an object is S3's 412 PreconditionFailed,
// a lost race with a concurrent operation 409 ConditionalRequestConflict
// with the message of S3's error code list.
func TestConditionalWriteErrors(t *testing.T) {
	d := New(Config{})
	for _, tc := range []struct {
		code   translate.Code
		status int
		body   string
	}{
		{translate.ErrObjectExists, 412, `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
			`<Error><Code>PreconditionFailed</Code><Message>At least one of the preconditions you specified did not hold.</Message><Resource>/b/k</Resource><BucketName>b</BucketName><Key>k</Key><Condition>If-None-Match</Condition><RequestId>REQ1</RequestId><HostId>HOST1</HostId></Error>`},
		{translate.ErrConditionalRequestConflict, 409, `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
			`<Error><Code>ConditionalRequestConflict</Code><Message>A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part.</Message><Resource>/b/k</Resource><BucketName>b</BucketName><Key>k</Key><RequestId>REQ1</RequestId><HostId>HOST1</HostId></Error>`},
	} {
		r := &dialects.Request{HTTP: httptest.NewRequest("PUT", "/b/k", nil), ID: "REQ1", HostID: "HOST1"}
		w := httptest.NewRecorder()
		err := &translate.Error{Code: tc.code, Bucket: "b", Key: "k"}
		if tc.code == translate.ErrObjectExists {
			err = translate.AsError(translate.WriteCond{IfAbsent: true}.Check(true, "e"))
			err.Bucket, err.Key = "b", "k"
		}
		d.EncodeError(w, r, err)
		if w.Code != tc.status || w.Body.String() != tc.body {
			t.Errorf("%v:\n got %d %s\nwant %d %s", tc.code, w.Code, w.Body.String(), tc.status, tc.body)
		}
	}
}
