package translate

import "context"

// A migrating bucket's settings (BucketDocs) are written to the
// destination, where the bucket is going; a document the destination does
// not have yet is read from the source, so a public bucket stays public
// while it moves.

// GetBucketDoc implements BucketDocs.
func (m *migrating) GetBucketDoc(ctx context.Context, bucket, name string) ([]byte, error) {
	data, err := m.dst.GetBucketDoc(ctx, bucket, name)
	if c := CodeOf(err); c == ErrNoSuchKey || c == ErrNotImplemented {
		return m.src.GetBucketDoc(ctx, bucket, name)
	}
	return data, err
}

// PutBucketDoc implements BucketDocs.
func (m *migrating) PutBucketDoc(ctx context.Context, bucket, name string, data []byte) error {
	return m.dst.PutBucketDoc(ctx, bucket, name, data)
}

// DeleteBucketDoc implements BucketDocs: from both sides, so a source's
// document does not show through.
func (m *migrating) DeleteBucketDoc(ctx context.Context, bucket, name string) error {
	if err := m.dst.DeleteBucketDoc(ctx, bucket, name); err != nil {
		return err
	}
	if err := m.src.DeleteBucketDoc(ctx, bucket, name); CodeOf(err) != ErrNotImplemented {
		return err
	}
	return nil
}

var _ BucketDocs = (*migrating)(nil)
