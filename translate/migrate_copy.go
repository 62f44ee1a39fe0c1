package translate

import (
	"context"
	"fmt"
	"io"
	"time"
)

// CopyOutcome says what copying one key of a migrating route did.
type CopyOutcome int

const (
	// Copied: the object now exists on the destination, as on the source.
	Copied CopyOutcome = iota
	// Present: the destination already held the key (an earlier copy, or a
	// write made through the gateway, which is newer) and was left alone.
	Present
	// Gone: the key was deleted during the migration (a tombstone) or is no
	// longer on the source; nothing was written.
	Gone
)

func (o CopyOutcome) String() string {
	return [...]string{"copied", "present", "gone"}[o]
}

// copyKey copies key from the source to the destination unless the
// destination has it (IfAbsent).
func (m *migrating) copyKey(ctx context.Context, key string) (CopyOutcome, error) {
	out, _, err := m.copyKeyWith(ctx, key, WriteCond{IfAbsent: true}, nil)
	return out, err
}

// copyKeyCond is copyKey under another write condition.
func (m *migrating) copyKeyCond(ctx context.Context, key string, cond WriteCond) (CopyOutcome, error) {
	out, _, err := m.copyKeyWith(ctx, key, cond, nil)
	return out, err
}

// copyKeyWith copies one key under cond, passing the bytes through wrap
// (a rate limit, a counter) when it is not nil, and returns the bytes
// copied. The object keeps its metadata, content headers, storage class,
// ETag and checksums: a single-part object is streamed into PutObject
// with its MD5 and checksums verified on the way; a multipart object is
// rebuilt part by part with the source's part boundaries, and completed
// with the source's ObjectInfo (the backend records exactly that, see
// CompleteRequest); between two routes of one backend the backend copies
// server-side (CopyObject keeps ETag and checksums).
//
// A delete made through the gateway meanwhile wins: the tombstone is
// checked before the copy and again after it, and a copy that raced a
// delete removes what it wrote. The one window left: a client that
// deletes the key and writes the very same bytes again between the copy's
// write and its second check loses that rewrite.
func (m *migrating) copyKeyWith(ctx context.Context, key string, cond WriteCond, wrap func(io.Reader) io.Reader) (CopyOutcome, int64, error) {
	return m.copyKeyAs(ctx, key, cond, wrap, true)
}

// copyKeyAs is copyKeyWith; honorTombs false copies even a key with a
// tombstone (an upload begun before the migration completed on the source
// after the key was deleted: its object is the newest).
func (m *migrating) copyKeyAs(ctx context.Context, key string, cond WriteCond, wrap func(io.Reader) io.Reader, honorTombs bool) (CopyOutcome, int64, error) {
	if honorTombs {
		if dead, err := m.tombstoned(ctx, key); err != nil || dead {
			return Gone, 0, err
		}
	}
	info, err := m.src.HeadObject(ctx, m.front, key)
	if CodeOf(err) == ErrNoSuchKey {
		return Gone, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	if cond.IfAbsent {
		if _, err := m.dst.HeadObject(ctx, m.front, key); err == nil {
			return Present, 0, nil
		}
	}
	if wrap == nil {
		wrap = func(r io.Reader) io.Reader { return r }
	}
	var wrote ObjectInfo
	switch {
	case m.srcName == m.dstName:
		wrote, err = CopyIf(ctx, m.dst, m.srcSide.Bucket, m.srcSide.KeyPrefix+key, m.front, key, info.Metadata, cond)
	case etagParts(info.ETag) > 0:
		wrote, err = m.copyParts(ctx, info, cond, wrap)
	default:
		wrote, err = m.copyWhole(ctx, key, cond, wrap)
	}
	switch CodeOf(err) {
	case 0:
	case ErrObjectExists, ErrPreconditionFailed:
		return Present, 0, nil
	case ErrNoSuchKey:
		return Gone, 0, nil
	default:
		return 0, 0, fmt.Errorf("copying %q: %w", key, err)
	}
	if !honorTombs {
		return Copied, info.Size, nil
	}
	if dead, terr := m.tombstoned(ctx, key); terr != nil {
		return 0, 0, terr
	} else if dead {
		if cur, herr := m.dst.HeadObject(ctx, m.front, key); herr == nil && cur.ETag == wrote.ETag {
			if derr := m.dst.DeleteObject(ctx, m.front, key); derr != nil {
				return 0, 0, derr
			}
		}
		return Gone, 0, nil
	}
	return Copied, info.Size, nil
}

// checksumAlgs lists the algorithms of sums plus the engine's own.
func checksumAlgs(sums Checksums) []ChecksumAlgorithm {
	algs := append([]ChecksumAlgorithm(nil), EngineChecksums...)
	for a := range sums {
		if a != CRC64ECMA {
			algs = append(algs, a)
		}
	}
	return algs
}

// copyWhole streams a single-part object into the destination.
func (m *migrating) copyWhole(ctx context.Context, key string, cond WriteCond, wrap func(io.Reader) io.Reader) (ObjectInfo, error) {
	obj, err := m.src.GetObject(ctx, m.front, key, nil)
	if err != nil {
		return ObjectInfo{}, err
	}
	defer obj.Body.Close()
	info := obj.Info
	opts := BodyOptions{Algorithms: checksumAlgs(info.Checksum), ContentMD5: md5Of(info.ETag)}
	if info.ChecksumType != ChecksumComposite {
		opts.Expected = info.Checksum.Clone()
	}
	body, err := NewBody(wrap(obj.Body), info.Size, opts)
	if err != nil {
		return ObjectInfo{}, err
	}
	return PutIf(ctx, m.dst, m.front, key, body, info.Metadata, cond)
}

// partSizes returns a multipart object's part sizes: recorded, or asked of
// the source store part by part.
func (m *migrating) partSizes(ctx context.Context, info ObjectInfo) ([]int64, error) {
	n := etagParts(info.ETag)
	if len(info.PartSizes) == n {
		return info.PartSizes, nil
	}
	sizes := make([]int64, 0, n)
	for i := 1; i <= n; i++ {
		rng, _, err := m.src.PartRange(ctx, m.front, info.Key, i)
		if err != nil {
			return nil, fmt.Errorf("part %d of %q: %w", i, info.Key, err)
		}
		sizes = append(sizes, rng.Length)
	}
	return sizes, nil
}

// copyParts rebuilds a multipart object on the destination with the
// source's part boundaries, so the parts' ETags and checksums, and the
// object's, come out the same.
func (m *migrating) copyParts(ctx context.Context, info ObjectInfo, cond WriteCond, wrap func(io.Reader) io.Reader) (ObjectInfo, error) {
	key := info.Key
	sizes, err := m.partSizes(ctx, info)
	if err != nil {
		return ObjectInfo{}, err
	}
	up := UploadInfo{Bucket: m.front, Key: key, Initiated: time.Now().UTC(), Metadata: info.Metadata, FrontMinPartSize: 1}
	if len(info.PartChecksums) == len(sizes) && len(sizes) > 0 {
		for a := range info.PartChecksums[0] {
			up.ChecksumAlgorithm, up.ChecksumType = a, info.ChecksumType
		}
	}
	id, err := m.dst.CreateMultipartUpload(ctx, up)
	if err != nil {
		return ObjectInfo{}, err
	}
	done := false
	defer func() {
		if !done {
			m.dst.AbortMultipartUpload(context.WithoutCancel(ctx), m.front, key, id)
		}
	}()
	parts := make([]CompletePart, 0, len(sizes))
	var off int64
	for i, size := range sizes {
		p, err := m.copyPart(ctx, info, id, i+1, Range{Start: off, Length: size}, up.ChecksumAlgorithm, wrap)
		if err != nil {
			return ObjectInfo{}, err
		}
		parts = append(parts, CompletePart{Number: i + 1, Size: p.Size, ETag: p.ETag})
		off += size
	}
	want := info
	want.Key, want.CompletedBy, want.PartSizes = key, "", sizes
	out, err := m.dst.CompleteMultipartUpload(ctx, CompleteRequest{Bucket: m.front, Key: key, UploadID: id, Parts: parts, Info: want, Cond: cond})
	if err == nil || CodeOf(err) != ErrNoSuchUpload {
		done = true
	}
	return out, err
}

func (m *migrating) copyPart(ctx context.Context, info ObjectInfo, id string, n int, rng Range, alg ChecksumAlgorithm, wrap func(io.Reader) io.Reader) (PartInfo, error) {
	obj, err := m.src.GetObject(ctx, m.front, info.Key, &rng)
	if err != nil {
		return PartInfo{}, err
	}
	defer obj.Body.Close()
	if obj.Info.ETag != info.ETag {
		return PartInfo{}, &Error{Code: ErrServiceUnavailable, Key: info.Key, Message: "The source object changed while it was being copied; retry."}
	}
	algs := append([]ChecksumAlgorithm(nil), EngineChecksums...)
	if alg != "" && alg != CRC64ECMA {
		algs = append(algs, alg)
	}
	body, err := NewBody(wrap(obj.Body), rng.Length, BodyOptions{Algorithms: algs})
	if err != nil {
		return PartInfo{}, err
	}
	return m.dst.UploadPart(ctx, m.front, info.Key, id, n, body)
}
