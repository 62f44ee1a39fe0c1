package translate_test

import (
	"context"
	"crypto/sha256"
	"testing"

	"github.com/babelgate/babelgate/translate"
)

// TestEngineTreeHashUpload: an upload whose algorithm is SHA256TREE (the
// Glacier dialect's) keeps each part's tree hash, refuses a part whose
// expected tree hash is wrong without storing it, and at Complete records
// the archive's tree hash combined from the part hashes (no data read),
// refusing a wrong one; the upload is neither COMPOSITE nor FULL_OBJECT
// for its tree hash.
func TestEngineTreeHashUpload(t *testing.T) {
	ctx := context.Background()
	e, c := attrsEngine(t)
	if err := e.CreateBucket(ctx, c, "vault"); err != nil {
		t.Fatal(err)
	}
	const M = translate.TreeHashLeaf
	data := make([]byte, 2*M+12345)
	for i := range data {
		data[i] = byte(i*7 + i/251)
	}
	tree := func(b []byte) string {
		h := translate.NewTreeHash()
		h.Write(b)
		return translate.EncodeChecksum(h.Sum(nil))
	}
	id, info, err := e.CreateMultipartUpload(ctx, c, translate.CreateUploadRequest{Bucket: "vault", Key: "a", ChecksumAlgorithm: translate.SHA256Tree})
	if err != nil || info.ChecksumType != "" {
		t.Fatalf("create: %+v, %v", info, err)
	}
	upload := func(n int, body []byte, expect string) (translate.PartInfo, error) {
		in := attrBody(body)
		in.Options.Expected = translate.Checksums{translate.SHA256Tree: expect}
		in.Options.ClientAlgorithm = translate.SHA256Tree // as the Glacier dialect declares it
		p, _, err := e.UploadPart(ctx, c, translate.UploadPartRequest{Bucket: "vault", Key: "a", UploadID: id, PartNumber: n, Body: in})
		return p, err
	}
	if _, err := upload(1, data[:M], tree(data[:M-1])); translate.CodeOf(err) != translate.ErrChecksumMismatch {
		t.Fatalf("a wrong part tree hash: %v", err)
	}
	page, _, err := e.ListParts(ctx, c, "vault", "a", id, 0, 10)
	if err != nil || len(page.Parts) != 0 {
		t.Fatalf("a refused part was stored: %+v, %v", page.Parts, err)
	}
	var list []translate.ClientPart
	for i, off := range []int{0, M, 2 * M} {
		body := data[off:min(off+M, len(data))]
		p, err := upload(i+1, body, tree(body))
		if err != nil || p.Checksum[translate.SHA256Tree] != tree(body) {
			t.Fatalf("part %d: %+v, %v", i+1, p, err)
		}
		list = append(list, translate.ClientPart{Number: i + 1, ETag: p.ETag})
	}
	wrong := sha256.Sum256(data)
	_, err = e.CompleteMultipartUpload(ctx, c, translate.CompleteUploadRequest{Bucket: "vault", Key: "a", UploadID: id, Parts: list,
		ObjectSize: -1, Checksum: translate.Checksums{translate.SHA256Tree: translate.EncodeChecksum(wrong[:])}})
	if translate.CodeOf(err) != translate.ErrChecksumMismatch {
		t.Fatalf("a wrong archive tree hash: %v", err)
	}
	obj, err := e.CompleteMultipartUpload(ctx, c, translate.CompleteUploadRequest{Bucket: "vault", Key: "a", UploadID: id, Parts: list,
		ObjectSize: int64(len(data)), Checksum: translate.Checksums{translate.SHA256Tree: tree(data)}})
	if err != nil || obj.Checksum[translate.SHA256Tree] != tree(data) {
		t.Fatalf("complete: %+v, %v", obj.Checksum, err)
	}
	head, _, err := e.HeadObject(ctx, c, translate.GetRequest{Bucket: "vault", Key: "a"})
	if err != nil || head.Checksum[translate.SHA256Tree] != tree(data) || head.Size != int64(len(data)) {
		t.Fatalf("head: %+v, %v", head, err)
	}
}
