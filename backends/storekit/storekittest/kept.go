package storekittest

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/babelgate/babelgate/backends/storekit"
	"github.com/babelgate/babelgate/translate"
)

// RunKept checks, against the real store behind raw (a driver that
// declares MetadataUpdate), what the kit keeps about objects and what it
// costs in store calls, counting the kit's calls of raw:
//
//   - a PutObject with checksums the store does not keep (CRC-64/ECMA,
//     CRC64NVME) is one Put and one UpdateMetadata, writes no annex, and
//     HEAD, GET and a ranged GET are then one store call each, with the
//     exact values and the client's metadata;
//   - a PutObject with nothing to keep is one Put; a server-side copy is
//     read in one call too;
//   - a PutObject larger than Abilities.MetadataUpdateMaxSize keeps an
//     annex instead, and its reads look it up;
//   - a multipart object, direct and staged (when the store stages), and
//     a PutObject whose metadata leaves no room for the values, keep an
//     annex, which reads still apply (HEAD: Head and the annex's Get);
//   - an object written straight to the store (no entry, as by earlier
//     versions or a migration) gets its legacy annex applied, or the
//     store's own values without one;
//   - a PutObject of the key between another's Put and its metadata
//     update (ordered by Counting.BeforeUpdate) stays whole: the refused
//     update is success and writes nothing;
//   - an update the store refuses falls back to an annex;
//   - a client's own metadata named storekit.KeptMeta is never taken for
//     the kit's.
//
// opts are the kit's options.
func RunKept(t *testing.T, raw storekit.Driver, opts storekit.Options) {
	ab := raw.Abilities()
	if !ab.MetadataUpdate {
		t.Fatalf("%s driver declares no MetadataUpdate", ab.Name)
	}
	c := Count(raw)
	b, err := storekit.New(c.Driver(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	ctx := context.Background()
	suffix := make([]byte, 4)
	rand.Read(suffix)
	bucket := "kept-" + hex.EncodeToString(suffix)
	if err := b.CreateBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { empty(t, b, bucket) })
	h := &keptHarness{T: t, ctx: ctx, b: b, c: c, raw: raw, bucket: bucket}
	algs := []translate.ChecksumAlgorithm{translate.CRC64ECMA, translate.CRC64NVME}
	size := 200_000
	if ab.MetadataUpdateMaxSize > 0 {
		size = int(min(int64(size), ab.MetadataUpdateMaxSize))
	}
	data := pattern(1, size)

	t.Run("Put", func(t *testing.T) {
		h.T = t
		meta := translate.Metadata{ContentType: "text/plain", CacheControl: "no-cache", User: map[string]string{"color": "blue"}}
		c.Reset()
		if _, err := b.PutObject(ctx, bucket, "single", translate.BytesBody(data, algs...), meta); err != nil {
			t.Fatal(err)
		}
		h.calls("PutObject", map[string]int{"Put": 1, "UpdateMetadata": 1})
		h.noAnnex("single")
		want := sums(data, algs...)
		for _, info := range h.readOnce("single", data, 1) {
			if info.Metadata.ContentType != "text/plain" || info.Metadata.CacheControl != "no-cache" ||
				!maps.Equal(info.Metadata.User, map[string]string{"color": "blue"}) {
				t.Errorf("metadata after the update = %+v", info.Metadata)
			}
			h.values("single", info, md5Hex(data), want)
		}
		c.Reset()
		if _, err := b.CopyObject(ctx, bucket, "single", bucket, "copied", translate.Metadata{}); err != nil {
			t.Fatal(err)
		}
		for _, info := range h.readOnce("copied", data, 1) {
			h.values("copied", info, md5Hex(data), want)
		}
	})

	// A driver that updates the metadata of objects of any size has no
	// such case.
	beyond := func(t *testing.T) {
		h.T = t
		big := pattern(4, int(ab.MetadataUpdateMaxSize)+1)
		c.Reset()
		if _, err := b.PutObject(ctx, bucket, "big", translate.BytesBody(big, algs...), translate.Metadata{}); err != nil {
			t.Fatal(err)
		}
		h.calls("PutObject", map[string]int{"Put": 2}) // the object and its annex
		for _, info := range h.readOnce("big", big, 2) {
			h.values("big", info, md5Hex(big), sums(big, algs...))
		}
	}
	if ab.MetadataUpdateMaxSize > 0 {
		t.Run("BeyondUpdateSize", beyond)
	}

	t.Run("NothingToKeep", func(t *testing.T) {
		h.T = t
		c.Reset()
		if _, err := b.PutObject(ctx, bucket, "plain", translate.BytesBody(data, ab.StoreChecksums...), translate.Metadata{}); err != nil {
			t.Fatal(err)
		}
		h.calls("PutObject", map[string]int{"Put": 1})
		for _, info := range h.readOnce("plain", data, 1)[:2] {
			h.values("plain", info, md5Hex(data), h.storeSums("plain", data))
		}
	})

	t.Run("Multipart", func(t *testing.T) {
		h.T = t
		h.multipart("multi", data, 0)
		if ab.MinPartSize > 1 {
			h.multipart("staged", data, 1)
		}
	})

	// A store without a metadata limit has no such case.
	noRoom := func(t *testing.T) {
		h.T = t
		// Room for "1;a" beside the client's metadata, not for the values.
		heavy := []translate.ChecksumAlgorithm{translate.SHA512, translate.SHA256, translate.SHA1, translate.CRC64ECMA}
		meta := translate.Metadata{User: map[string]string{"big": strings.Repeat("x", ab.MaxMetadataSize-100)}}
		c.Reset()
		if _, err := b.PutObject(ctx, bucket, "heavy", translate.BytesBody(data, heavy...), meta); err != nil {
			t.Fatal(err)
		}
		h.calls("PutObject", map[string]int{"Put": 2}) // the object and its annex
		for _, info := range h.readOnce("heavy", data, 2) {
			h.values("heavy", info, md5Hex(data), sums(data, heavy...))
		}
	}
	if ab.MaxMetadataSize > 0 {
		t.Run("NoRoom", noRoom)
	}

	t.Run("Legacy", func(t *testing.T) {
		h.T = t
		storeETag, err := raw.Put(ctx, bucket, "legacy", bytes.NewReader(data), int64(len(data)), storekit.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, info := range h.readOnce("legacy", data, 2)[:2] {
			h.values("legacy without an annex", info, md5Hex(data), h.storeSums("legacy", data))
		}
		want := sums(data, translate.CRC64ECMA, translate.SHA256)
		a := storekit.SingleAnnex(translate.ObjectInfo{Key: "legacy", Size: int64(len(data)), ETag: md5Hex(data),
			Checksum: want, ChecksumType: translate.ChecksumFullObject}, storeETag)
		if _, err := raw.Put(ctx, bucket, storekit.AnnexKey("legacy"), bytes.NewReader(a.Marshal()), int64(len(a.Marshal())), storekit.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, info := range h.readOnce("legacy", data, 2) {
			h.values("legacy with an annex", info, md5Hex(data), want)
		}
	})

	t.Run("RacedUpdate", func(t *testing.T) {
		h.T = t
		older, newer := pattern(2, 50_000), pattern(3, 60_000)
		var raced atomic.Bool
		var nerr error
		c.BeforeUpdate = func(_, key string) {
			// The first update of "raced" waits for a whole PutObject of
			// the key (whose own update passes through here too).
			if key == "raced" && raced.CompareAndSwap(false, true) {
				_, nerr = b.PutObject(ctx, bucket, "raced", translate.BytesBody(newer, algs...),
					translate.Metadata{User: map[string]string{"who": "newer"}})
			}
		}
		defer func() { c.BeforeUpdate = nil }()
		if _, err := b.PutObject(ctx, bucket, "raced", translate.BytesBody(older, algs...),
			translate.Metadata{User: map[string]string{"who": "older"}}); err != nil {
			t.Fatalf("the overwritten PutObject: %v", err)
		}
		if !raced.Load() || nerr != nil {
			t.Fatalf("the racing PutObject did not run (%v, %v)", raced.Load(), nerr)
		}
		h.noAnnex("raced")
		for _, info := range h.readOnce("raced", newer, 1) {
			h.values("raced", info, md5Hex(newer), sums(newer, algs...))
			if info.Metadata.User["who"] != "newer" {
				t.Errorf("metadata %v, want the newer object's", info.Metadata.User)
			}
		}
	})

	t.Run("UpdateFails", func(t *testing.T) {
		h.T = t
		c.UpdateErr = errors.New("storekittest: the update is refused")
		defer func() { c.UpdateErr = nil }()
		c.Reset()
		if _, err := b.PutObject(ctx, bucket, "fallback", translate.BytesBody(data, algs...), translate.Metadata{}); err != nil {
			t.Fatalf("PutObject whose update fails: %v", err)
		}
		h.calls("PutObject", map[string]int{"Put": 2, "UpdateMetadata": 1}) // the object, the update, the annex
		c.UpdateErr = nil
		for _, info := range h.readOnce("fallback", data, 2) {
			h.values("fallback", info, md5Hex(data), sums(data, algs...))
		}
	})

	t.Run("ForgedEntry", func(t *testing.T) {
		h.T = t
		forged := "1;e=00000000000000000000000000000000;CRC64ECMA=AAAAAAAAAAA="
		if _, err := b.PutObject(ctx, bucket, "forged", translate.BytesBody(data), translate.Metadata{User: map[string]string{storekit.KeptMeta: forged}}); err != nil {
			t.Fatal(err)
		}
		for _, info := range h.readOnce("forged", data, 1)[:2] {
			h.values("forged", info, md5Hex(data), h.storeSums("forged", data))
			if info.Checksum[translate.CRC64ECMA] == "AAAAAAAAAAA=" {
				t.Error("a client's metadata was taken for the kit's entry")
			}
		}
	})
}

type keptHarness struct {
	*testing.T
	ctx    context.Context
	b      *storekit.Backend
	c      *Counting
	raw    storekit.Driver
	bucket string
}

// calls checks the store calls counted since the last Reset.
func (h *keptHarness) calls(what string, want map[string]int) {
	h.Helper()
	if got := h.c.Calls(); !maps.Equal(got, want) {
		h.Errorf("%s made store calls %v, want %v", what, got, want)
	}
}

// noAnnex checks that key has no annex object.
func (h *keptHarness) noAnnex(key string) {
	h.Helper()
	_, err := h.raw.Head(h.ctx, h.bucket, storekit.AnnexKey(key))
	if h.raw.Classify(err) != translate.ErrNoSuchKey {
		h.Errorf("%s: the annex object is there (HEAD: %v), want none", key, err)
	}
}

// readOnce reads key by HEAD, GET and a ranged GET, checking each made
// calls store calls (1: only the object's; 2: and the annex's), that the
// bytes are data, and that no entry reaches the client; it returns the
// three descriptions. (A store reports its own checksums of whole reads
// only: OSS sends no x-oss-hash-crc64ecma with a range.)
func (h *keptHarness) readOnce(key string, data []byte, calls int) []translate.ObjectInfo {
	h.Helper()
	annex := map[string]int{}
	if calls == 2 {
		annex["Get"] = 1
	}
	with := func(name string) map[string]int {
		m := maps.Clone(annex)
		m[name]++
		return m
	}
	h.c.Reset()
	head, err := h.b.HeadObject(h.ctx, h.bucket, key)
	if err != nil {
		h.Fatalf("HeadObject(%s): %v", key, err)
	}
	h.calls("HeadObject("+key+")", with("Head"))
	out := []translate.ObjectInfo{head}
	for _, rng := range []*translate.Range{nil, {Start: 10, Length: 100}} {
		h.c.Reset()
		obj, err := h.b.GetObject(h.ctx, h.bucket, key, rng)
		if err != nil {
			h.Fatalf("GetObject(%s, %v): %v", key, rng, err)
		}
		got, err := io.ReadAll(obj.Body)
		obj.Body.Close()
		want := data
		if rng != nil {
			want = data[rng.Start : rng.Start+rng.Length]
		}
		if err != nil || !bytes.Equal(got, want) {
			h.Errorf("GetObject(%s, %v): %d bytes, %v; want %d bytes", key, rng, len(got), err, len(want))
		}
		h.calls(fmt.Sprintf("GetObject(%s, %v)", key, rng), with("Get"))
		out = append(out, obj.Info)
	}
	for _, info := range out {
		if _, ok := info.Metadata.User[storekit.KeptMeta]; ok || info.Size != int64(len(data)) {
			h.Errorf("%s: size %d, metadata %v; want %d bytes and no entry", key, info.Size, info.Metadata.User, len(data))
		}
	}
	return out
}

// storeSums are the checksums the store itself reports for key (some
// compute one of every object: OSS its CRC-64/ECMA, versitygw and AWS a
// CRC64NVME), checked exact for the algorithms the driver declares in
// StoreChecksums.
func (h *keptHarness) storeSums(key string, data []byte) translate.Checksums {
	h.Helper()
	info, err := h.raw.Head(h.ctx, h.bucket, key)
	if err != nil {
		h.Fatalf("the store's HEAD of %s: %v", key, err)
	}
	for a, v := range sums(data, h.raw.Abilities().StoreChecksums...) {
		if info.Checksum[a] != v {
			h.Errorf("%s: the store's %s is %q, want %q", key, a, info.Checksum[a], v)
		}
	}
	return info.Checksum
}

// values checks the ETag and that the checksums are exactly want.
func (h *keptHarness) values(what string, info translate.ObjectInfo, etag string, want translate.Checksums) {
	h.Helper()
	if info.ETag != etag {
		h.Errorf("%s: ETag %q, want %q", what, info.ETag, etag)
	}
	if !maps.Equal(info.Checksum, want) && !(len(info.Checksum) == 0 && len(want) == 0) {
		h.Errorf("%s: checksums %v, want %v", what, info.Checksum, want)
	}
	if len(want) > 0 && info.ChecksumType != translate.ChecksumFullObject {
		h.Errorf("%s: checksum type %q, want FULL_OBJECT", what, info.ChecksumType)
	}
}

// multipart completes an upload of data in one part (staged when frontMin
// is below the store's minimum) and checks that reads apply its annex.
func (h *keptHarness) multipart(key string, data []byte, frontMin int64) {
	h.Helper()
	id, err := h.b.CreateMultipartUpload(h.ctx, translate.UploadInfo{Bucket: h.bucket, Key: key, Initiated: time.Now().UTC(),
		FrontMinPartSize: frontMin})
	if err != nil {
		h.Fatal(err)
	}
	p, err := h.b.UploadPart(h.ctx, h.bucket, key, id, 1, translate.BytesBody(data, translate.CRC64ECMA))
	if err != nil {
		h.Fatal(err)
	}
	sum := md5.Sum(data)
	all := md5.Sum(sum[:])
	etag := hex.EncodeToString(all[:]) + "-1"
	want := sums(data, translate.CRC64ECMA)
	_, err = h.b.CompleteMultipartUpload(h.ctx, translate.CompleteRequest{Bucket: h.bucket, Key: key, UploadID: id,
		Parts: []translate.CompletePart{{Number: 1, Size: int64(len(data)), ETag: p.ETag}},
		Info: translate.ObjectInfo{ETag: etag, Metadata: translate.Metadata{}, PartSizes: []int64{int64(len(data))},
			Checksum: want, ChecksumType: translate.ChecksumFullObject, CompletedBy: "complete-" + key}})
	if err != nil {
		h.Fatal(err)
	}
	for _, info := range h.readOnce(key, data, 2) {
		h.values(key, info, etag, want)
		if info.CompletedBy != "complete-"+key {
			h.Errorf("%s: CompletedBy %q, want the annex's", key, info.CompletedBy)
		}
	}
}

// sums are data's checksums of algs.
func sums(data []byte, algs ...translate.ChecksumAlgorithm) translate.Checksums {
	out := translate.Checksums{}
	for _, a := range algs {
		hh, err := translate.NewChecksumHash(a)
		if err != nil {
			panic(err)
		}
		hh.Write(data)
		out[a] = translate.EncodeChecksum(hh.Sum(nil))
	}
	return out
}

func md5Hex(data []byte) string {
	sum := md5.Sum(data)
	return hex.EncodeToString(sum[:])
}

// pattern is n bytes that differ with seed.
func pattern(seed byte, n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = seed + byte(i*7+i/251)
	}
	return p
}

// empty deletes bucket's objects and the bucket.
func empty(t *testing.T, b *storekit.Backend, bucket string) {
	ctx := context.Background()
	page, err := b.ListObjects(ctx, bucket, translate.ListQuery{MaxKeys: 1000})
	if err != nil {
		t.Logf("cleanup: listing %s: %v", bucket, err)
		return
	}
	for _, o := range page.Objects {
		b.DeleteObject(ctx, bucket, o.Key)
	}
	if err := b.DeleteBucket(ctx, bucket); err != nil {
		t.Logf("cleanup: deleting %s: %v", bucket, err)
	}
}
