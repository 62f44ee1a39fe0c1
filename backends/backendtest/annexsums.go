package backendtest

import "github.com/babelgate/babelgate/translate"

// testPutChecksumsKept: on a staging backend (one that keeps what the
// store does not in an annex), a PutObject with checksums the store keeps
// only in part, or not at all (CRC32C, SHA-256, CRC-64/ECMA), reports
// exactly those from HeadObject and GetObject, with the MD5 ETag; and so
// does a copy of it. Other backends skip it.
func testPutChecksumsKept(h *harness) {
	if !h.q.Staging {
		h.Skip("the backend does not keep checksums the store does not")
	}
	bucket := h.bucket("sums")
	data := pattern(7, 300_000)
	algs := []translate.ChecksumAlgorithm{translate.CRC32C, translate.SHA256, translate.CRC64ECMA}
	want := translate.Checksums{}
	for _, a := range algs {
		want[a] = checksum(h, a, data)
	}
	put := h.put(bucket, "summed", data, translate.Metadata{}, algs...)
	for a, v := range want {
		if put.Checksum[a] != v {
			h.Errorf("PutObject checksum %s = %q, want %q", a, put.Checksum[a], v)
		}
	}
	check := func(key string) {
		head, err := h.b.HeadObject(h.ctx, bucket, key)
		if err != nil {
			h.Fatalf("HeadObject(%s): %v", key, err)
		}
		got, body := h.get(bucket, key, nil)
		if string(body) != string(data) {
			h.Errorf("%s: GetObject returned different bytes", key)
		}
		for name, gi := range map[string]translate.ObjectInfo{"HeadObject": head, "GetObject": got} {
			if trimETag(gi.ETag) != put.ETag || gi.Size != int64(len(data)) || len(gi.PartSizes) != 0 {
				h.Errorf("%s(%s) = %+v, want ETag %s, size %d", name, key, gi, put.ETag, len(data))
			}
			for _, a := range algs {
				if gi.Checksum[a] != want[a] {
					h.Errorf("%s(%s) checksum %s = %q, want %q", name, key, a, gi.Checksum[a], want[a])
				}
			}
		}
	}
	check("summed")
	if _, err := h.b.CopyObject(h.ctx, bucket, "summed", bucket, "copied", translate.Metadata{}); err != nil {
		h.Fatalf("CopyObject: %v", err)
	}
	check("copied")
	// An overwrite without checksums leaves the old annex inert.
	h.put(bucket, "summed", data[:1000], translate.Metadata{})
	head, err := h.b.HeadObject(h.ctx, bucket, "summed")
	if err != nil {
		h.Fatalf("HeadObject after overwrite: %v", err)
	}
	if head.Size != 1000 || head.Checksum[translate.SHA256] != "" || head.Checksum[translate.CRC32C] != "" {
		h.Errorf("HeadObject after an overwrite without checksums = %+v, want no stale checksums", head)
	}
}
