package storekit

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/babelgate/babelgate/translate"
)

// kitStore is the Stager's Store over the backend's driver: the kit's own
// calls, classified, bounded and retried like every other.
type kitStore struct{ b *Backend }

var _ Store = kitStore{}

func (s kitStore) PutSmall(ctx context.Context, bucket, key string, data []byte) error {
	return s.b.putSmall(ctx, bucket, key, data)
}

func (s kitStore) PutStream(ctx context.Context, bucket, key string, number int, body *translate.Body) (translate.Sums, error) {
	r, tb, err := streamBody(body)
	if err != nil {
		return translate.Sums{}, err
	}
	opts := PutOptions{ContentMD5: body.ContentMD5()}
	if _, err := s.b.d.Put(ctx, bucket, key, r, body.Size(), opts); err != nil {
		return translate.Sums{}, s.b.bodyError(tb, err, bucket, "")
	}
	sums, ok := body.Sums()
	if !ok {
		return translate.Sums{}, s.b.errf(nil, "store accepted staged part %d before the body ended", number)
	}
	return sums, nil
}

func (s kitStore) GetSmall(ctx context.Context, bucket, key string) ([]byte, error) {
	return s.b.getSmall(ctx, bucket, key)
}

func (s kitStore) Get(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	body, _, err := s.b.open(ctx, bucket, key, nil)
	return body, err
}

func (s kitStore) Head(ctx context.Context, bucket, key string) (translate.ObjectInfo, error) {
	return s.b.storeHead(ctx, bucket, key)
}

func (s kitStore) List(ctx context.Context, bucket, prefix string, fn func(key string)) error {
	return s.b.eachKey(ctx, bucket, prefix, fn)
}

func (s kitStore) Delete(ctx context.Context, bucket, key string) error {
	return s.b.do(ctx, bucket, key, func(ctx context.Context) error { return s.b.d.Delete(ctx, bucket, []string{key}) })
}

func (s kitStore) DeletePrefix(ctx context.Context, bucket, prefix string) error {
	return s.b.deletePrefix(ctx, bucket, prefix)
}

func (s kitStore) ReadState(ctx context.Context, bucket, id string) (Upload, error) {
	return s.b.readState(ctx, bucket, id)
}

func (s kitStore) Buckets(ctx context.Context) ([]string, error) {
	all, err := s.b.ListBuckets(ctx)
	names := make([]string, len(all))
	for i, bk := range all {
		names[i] = bk.Name
	}
	return names, err
}

func (s kitStore) CreateUpload(ctx context.Context, bucket, key string, m translate.Metadata) (id string, err error) {
	err = s.b.once(ctx, bucket, key, func(ctx context.Context) (err error) {
		id, err = s.b.up.CreateUpload(ctx, bucket, key, PutOptions{Metadata: s.b.uploadMeta(m)})
		if err == nil && id == "" {
			err = s.b.errf(nil, "the store returned no upload ID for %s/%s", bucket, key)
		}
		return err
	})
	return id, err
}

func (s kitStore) UploadPart(ctx context.Context, bucket, key, uploadID string, n int, r io.Reader, size int64) (string, error) {
	if size == 0 {
		r = http.NoBody
	}
	etag, err := s.b.up.UploadPart(ctx, bucket, key, uploadID, n, r, size, PutOptions{})
	return etag, s.b.classify(err, bucket, key)
}

// UploadPartCopy copies a staged part server-side when the store can, and
// otherwise streams it through the gateway.
func (s kitStore) UploadPartCopy(ctx context.Context, bucket, key, uploadID string, n int, srcKey string, size int64) (string, error) {
	if !s.b.ab.CopyPart {
		body, err := s.Get(ctx, bucket, srcKey)
		if err != nil {
			return "", err
		}
		defer body.Close()
		s.b.restreamed.Add(size)
		return s.UploadPart(ctx, bucket, key, uploadID, n, io.LimitReader(body, size), size)
	}
	var etag string
	err := s.b.do(ctx, bucket, key, func(ctx context.Context) (err error) {
		etag, err = s.b.up.CopyPart(ctx, bucket, key, uploadID, n, srcKey, size)
		return err
	})
	return etag, err
}

func (s kitStore) CompleteUpload(ctx context.Context, bucket, key, uploadID string, etags []string, m translate.Metadata, cond translate.WriteCond) (string, error) {
	parts := make([]Part, len(etags))
	for i, etag := range etags {
		parts[i] = Part{Number: i + 1, ETag: etag}
	}
	etag, err := s.b.up.CompleteUpload(ctx, bucket, key, uploadID, parts, PutOptions{Metadata: s.b.uploadMeta(m), Cond: cond})
	return etag, s.b.classify(err, bucket, key)
}

func (s kitStore) AbortUpload(ctx context.Context, bucket, key, uploadID string) {
	s.b.do(ctx, bucket, key, func(ctx context.Context) error { return s.b.up.AbortUpload(ctx, bucket, key, uploadID) })
}

// uploadMeta is the store's metadata of an upload of an object with m,
// as CreateUpload, and a Complete that applies it only then, take it:
// every Complete writes an annex (the Complete that made the object, its
// part sizes), and the kit's entry says to look for it.
func (b *Backend) uploadMeta(m translate.Metadata) translate.Metadata {
	return b.toStore(m, b.entry(m, Kept{Annex: true}))
}

// putSmall stores data as key (state, records, markers, annexes).
func (b *Backend) putSmall(ctx context.Context, bucket, key string, data []byte) error {
	return b.do(ctx, bucket, key, func(ctx context.Context) error {
		var r io.Reader = bytes.NewReader(data)
		if len(data) == 0 {
			r = http.NoBody
		}
		_, err := b.d.Put(ctx, bucket, key, r, int64(len(data)), PutOptions{})
		return err
	})
}

// getSmall returns key's content, at most MaxStateSize bytes;
// ErrNoSuchKey when there is none.
func (b *Backend) getSmall(ctx context.Context, bucket, key string) (data []byte, err error) {
	err = b.do(ctx, bucket, key, func(ctx context.Context) error {
		body, _, err := b.d.Get(ctx, bucket, key, nil)
		if err != nil {
			return err
		}
		defer body.Close()
		data, err = io.ReadAll(io.LimitReader(body, MaxStateSize))
		return err
	})
	return data, err
}

// readState returns upload id's state; ErrNoSuchUpload when there is none.
func (b *Backend) readState(ctx context.Context, bucket, id string) (Upload, error) {
	return Read(bucket, id, func(key string) ([]byte, error) { return b.getSmall(ctx, bucket, key) })
}

// open opens key (or rng of it) for streaming: the wait for the store's
// answer is retried, the body is bounded by ctx only and its errors are
// classified.
func (b *Backend) open(ctx context.Context, bucket, key string, rng *translate.Range) (io.ReadCloser, translate.ObjectInfo, error) {
	var body io.ReadCloser
	var info translate.ObjectInfo
	err := b.attempts(ctx, true, false, bucket, key, func(ctx context.Context) (err error) {
		body, info, err = b.d.Get(ctx, bucket, key, rng)
		return err
	})
	if err != nil {
		return nil, info, err
	}
	b.described(&info)
	return mappedBody{ReadCloser: body, b: b, bucket: bucket, key: key}, info, nil
}

// storeHead describes key as the store holds it, no annex applied, the
// kit's entry (KeptMeta) still in its user metadata. A
// missing key in a missing bucket is ErrNoSuchBucket: a HEAD's 404 has no
// body to say which, so the bucket is asked.
func (b *Backend) storeHead(ctx context.Context, bucket, key string) (info translate.ObjectInfo, err error) {
	err = b.do(ctx, bucket, key, func(ctx context.Context) (err error) {
		info, err = b.d.Head(ctx, bucket, key)
		b.described(&info)
		return err
	})
	return info, b.notFound(ctx, err, bucket)
}

// notFound makes ErrNoSuchKey ErrNoSuchBucket when the bucket is missing.
func (b *Backend) notFound(ctx context.Context, err error, bucket string) error {
	if translate.CodeOf(err) != translate.ErrNoSuchKey {
		return err
	}
	if _, herr := b.HeadBucket(ctx, bucket); translate.CodeOf(herr) == translate.ErrNoSuchBucket {
		return &translate.Error{Code: translate.ErrNoSuchBucket, Bucket: bucket, Err: err}
	}
	return err
}

// streamBody prepares a client body for a driver: the body itself,
// tracked, or for an empty one, the body verified up front and
// http.NoBody. A body of unknown length is refused.
func streamBody(body *translate.Body) (io.Reader, *trackedBody, error) {
	t := &trackedBody{body: body}
	if body.Size() < 0 {
		return nil, nil, translate.Errorf(translate.ErrMissingContentLength, "the body has no declared length")
	}
	if body.Size() == 0 {
		if _, err := io.Copy(io.Discard, body); err != nil {
			return nil, nil, err
		}
		return http.NoBody, t, nil
	}
	return t, t, nil
}

// bodyError is the error of a streamed write: the body's own when it
// failed, else the classified store error.
func (b *Backend) bodyError(t *trackedBody, err error, bucket, key string) error {
	if t != nil && t.err != nil {
		return t.err
	}
	return b.classify(err, bucket, key)
}
