package hmacsig

import "testing"

// TestOSSCanonicalResource checks the OSS knobs: the decoded key with the
// bucket whatever the addressing, "/bucket/" for a bucket, bare empty
// sub-resources, unsigned parameters dropped.
func TestOSSCanonicalResource(t *testing.T) {
	tests := []struct {
		bucket, path string
		virtual      bool
		query, want  string
	}{
		{"bkt", "/bkt/dir%2Fa%20b+c.txt", false, "partNumber=2&uploadId=U%2B1", "/bkt/dir/a b+c.txt?partNumber=2&uploadId=U+1"},
		{"bkt", "/dir/a%20b.txt", true, "uploads=", "/bkt/dir/a b.txt?uploads"},
		{"bkt", "/bkt", false, "max-keys=10&prefix=a", "/bkt/"},
		{"bkt", "/", true, "bucketInfo", "/bkt/?bucketInfo"},
		{"", "/", false, "", "/"},
		{"bkt", "/bkt/k", false, "x-oss-process=image%2Fresize", "/bkt/k?x-oss-process=image/resize"},
	}
	for _, tt := range tests {
		if got := OSS.CanonicalResource(tt.bucket, tt.path, tt.virtual, tt.query); got != tt.want {
			t.Errorf("CanonicalResource(%q, %q, %v, %q) = %q, want %q", tt.bucket, tt.path, tt.virtual, tt.query, got, tt.want)
		}
	}
	// S3 is unchanged: the path as sent, '=' kept as sent.
	if got := S3.CanonicalResource("bkt", "/k%20x", true, "uploads="); got != "/bkt/k%20x?uploads=" {
		t.Errorf("S3 resource changed: %q", got)
	}
}
