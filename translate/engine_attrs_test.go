package translate_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/babelgate/babelgate/backends/fs"
	"github.com/babelgate/babelgate/translate"
)

// attrsEngine is an engine over a real fs backend in a temporary
// directory, and an all-powerful caller with S3's rules but 1-byte parts.
func attrsEngine(t *testing.T) (*translate.Engine, translate.Caller) {
	t.Helper()
	store, err := fs.New(fs.Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e, err := translate.NewEngine(translate.EngineConfig{Backends: map[string]translate.Backend{"fs": store}, Default: "fs",
		UploadIDSecret: []byte("0123456789abcdef0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	rules := translate.S3Rules
	rules.MinPartSize = 1
	p := &translate.Principal{AccessKey: "ak", Grants: []translate.Grant{{Pattern: "*", Access: translate.AccessWrite}}}
	return e, translate.Caller{Principal: p, Rules: &rules}
}

func attrBody(b []byte) translate.BodyInput {
	return translate.BodyInput{Reader: bytes.NewReader(b), Size: int64(len(b))}
}

// TestGetObjectAttributesEngine checks the engine's answer: single-part
// objects have no parts; a multipart upload that chose an algorithm keeps
// each part's checksum and pages them by marker and max; one that chose
// none reports only the count; reads past the last part are
// InvalidPartNumber.
func TestGetObjectAttributesEngine(t *testing.T) {
	ctx := context.Background()
	e, c := attrsEngine(t)
	if err := e.CreateBucket(ctx, c, "bkt"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.PutObject(ctx, c, translate.PutRequest{Bucket: "bkt", Key: "one", Body: attrBody([]byte("single"))}); err != nil {
		t.Fatal(err)
	}
	parts := [][]byte{[]byte("first"), []byte("second"), []byte("third!!")}
	complete := func(key string, alg translate.ChecksumAlgorithm) []translate.PartInfo {
		id, _, err := e.CreateMultipartUpload(ctx, c, translate.CreateUploadRequest{Bucket: "bkt", Key: key, ChecksumAlgorithm: alg})
		if err != nil {
			t.Fatal(err)
		}
		var got []translate.PartInfo
		var list []translate.ClientPart
		for i, p := range parts {
			in := attrBody(p)
			if alg != "" {
				// The algorithm the client chose, as the S3 dialect marks it.
				in.Options.Algorithms, in.Options.ClientAlgorithm = []translate.ChecksumAlgorithm{alg}, alg
			}
			pi, _, err := e.UploadPart(ctx, c, translate.UploadPartRequest{Bucket: "bkt", Key: key, UploadID: id, PartNumber: i + 1, Body: in})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, pi)
			list = append(list, translate.ClientPart{Number: i + 1, ETag: pi.ETag})
		}
		if _, err := e.CompleteMultipartUpload(ctx, c, translate.CompleteUploadRequest{Bucket: "bkt", Key: key, UploadID: id, Parts: list, ObjectSize: -1}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	crcParts := complete("crc", translate.CRC32)
	complete("plain", "")

	tests := []struct {
		name              string
		req               translate.AttributesRequest
		multipart, listed bool
		count             int
		numbers           []int
		truncated         bool
		next              int
		wantErr           translate.Code
	}{
		{"single", translate.AttributesRequest{Key: "one"}, false, false, 0, nil, false, 0, 0},
		{"all parts", translate.AttributesRequest{Key: "crc"}, true, true, 3, []int{1, 2, 3}, false, 3, 0},
		{"first page", translate.AttributesRequest{Key: "crc", MaxParts: 2}, true, true, 3, []int{1, 2}, true, 2, 0},
		{"second page", translate.AttributesRequest{Key: "crc", MaxParts: 2, PartNumberMarker: 2}, true, true, 3, []int{3}, false, 3, 0},
		{"past the end", translate.AttributesRequest{Key: "crc", PartNumberMarker: 3}, true, true, 3, nil, false, 0, 0},
		{"no algorithm", translate.AttributesRequest{Key: "plain"}, true, false, 3, nil, false, 0, 0},
		{"missing key", translate.AttributesRequest{Key: "none"}, false, false, 0, nil, false, 0, translate.ErrNoSuchKey},
		{"negative max", translate.AttributesRequest{Key: "crc", MaxParts: -1}, false, false, 0, nil, false, 0, translate.ErrInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Bucket = "bkt"
			at, err := e.GetObjectAttributes(ctx, c, tt.req)
			if translate.CodeOf(err) != tt.wantErr {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			var numbers []int
			for _, p := range at.Parts {
				numbers = append(numbers, p.Number)
				want := crcParts[p.Number-1]
				if p.Size != want.Size || p.Checksum[translate.CRC32] == "" || p.Checksum[translate.CRC32] != want.Checksum[translate.CRC32] {
					t.Errorf("part %d: %+v, uploaded %+v", p.Number, p, want)
				}
			}
			if at.Multipart != tt.multipart || at.PartsListed != tt.listed || at.PartsCount != tt.count || len(numbers) != len(tt.numbers) ||
				at.Truncated != tt.truncated || at.NextPartNumberMarker != tt.next {
				t.Errorf("got multipart=%v listed=%v count=%d parts=%v truncated=%v next=%d", at.Multipart, at.PartsListed, at.PartsCount,
					numbers, at.Truncated, at.NextPartNumberMarker)
			}
			for i := range numbers {
				if numbers[i] != tt.numbers[i] {
					t.Errorf("part numbers %v, want %v", numbers, tt.numbers)
				}
			}
		})
	}

	// Reads by part number: the part's range; past the last part (or part
	// 2 of a single-part object) is InvalidPartNumber, not InvalidRange.
	for _, tt := range []struct {
		key  string
		n    int
		want translate.Code
	}{{"crc", 3, 0}, {"crc", 4, translate.ErrInvalidPartNumber}, {"one", 1, 0}, {"one", 2, translate.ErrInvalidPartNumber}} {
		info, rng, err := e.HeadObject(ctx, c, translate.GetRequest{Bucket: "bkt", Key: tt.key, PartNumber: tt.n})
		if translate.CodeOf(err) != tt.want {
			t.Errorf("%s part %d: %v, want %v", tt.key, tt.n, err, tt.want)
			continue
		}
		if err == nil && tt.key == "crc" && (rng.Length != int64(len(parts[tt.n-1])) || info.PartChecksums[tt.n-1][translate.CRC32] != crcParts[tt.n-1].Checksum[translate.CRC32]) {
			t.Errorf("%s part %d: range %+v, checksums %v", tt.key, tt.n, rng, info.PartChecksums)
		}
	}
}
