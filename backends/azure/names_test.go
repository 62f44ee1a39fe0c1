package azure

import (
	"strings"
	"testing"

	"github.com/babelgate/babelgate/translate"
)

func TestMetaNames(t *testing.T) {
	tests := []struct{ user, azure string }{
		{"plain", "plain"},
		{"with_underscore", "with_underscore"},
		{"with-dash", "bgx_776974682d64617368"},
		{"9lives", "bgx_396c69766573"},
		{"bgx_trap", "bgx_6267785f74726170"},
		{"bgexpires", "bgx_626765787069726573"},
		{"bgredirect", "bgx_62677265646972656374"},
		{"ünï", "bgx_c3bc6ec3af"},
	}
	for _, tc := range tests {
		if got := metaMap.Names.Encode(tc.user); got != tc.azure {
			t.Errorf("metaMap.Names.Encode(%q) = %q, want %q", tc.user, got, tc.azure)
		}
		if back, ok := metaMap.Names.Decode(strings.ToUpper(tc.azure)); !ok || back != tc.user {
			t.Errorf("metaMap.Names.Decode(%q) = %q, %v", tc.azure, back, ok)
		}
	}
	if _, ok := metaMap.Names.Decode("BGEXPIRES"); ok {
		t.Error("the driver's own metadata name was taken for the client's")
	}
}

// TestCheckBucket: with the container prefix, a bucket's container name
// must be Azure's (3-63 lowercase letters, digits, single hyphens).
func TestCheckBucket(t *testing.T) {
	d := &Driver{opts: Options{ContainerPrefix: "gw-"}}
	for bucket, ok := range map[string]bool{"abc": true, "a-b-c": true, "a.b": false, "a--b": false, "ab-": false, "x": true,
		strings.Repeat("a", 60): true, strings.Repeat("a", 61): false} {
		if err := d.CheckBucket(bucket); (err == nil) != ok || !ok && translate.CodeOf(err) != translate.ErrInvalidBucketName {
			t.Errorf("CheckBucket(%q) = %v, want ok %v", bucket, err, ok)
		}
	}
}
