package fs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/babelgate/babelgate/translate"
)

var errKilled = errors.New("killed (test hook)")

// killAt returns a hook that stops a Complete at the n-th time (from 1)
// it reaches step, as a SIGKILL there would: the Complete returns at once
// and only closes its files and its lock, which the kernel would do too.
func killAt(step string, n int) func(string) error {
	seen := 0
	return func(s string) error {
		if s == step {
			if seen++; seen == n {
				return errKilled
			}
		}
		return nil
	}
}

// startUpload creates an upload of key with the given parts and returns
// the Complete request for them.
func startUpload(t *testing.T, b *Backend, key string, parts ...[]byte) translate.CompleteRequest {
	t.Helper()
	ctx := t.Context()
	id, err := b.CreateMultipartUpload(ctx, translate.UploadInfo{Bucket: "bkt", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	req := translate.CompleteRequest{Bucket: "bkt", Key: key, UploadID: id, Info: translate.ObjectInfo{ETag: "abc-" + fmt.Sprint(len(parts))}}
	for i, p := range parts {
		pi, err := b.UploadPart(ctx, "bkt", key, id, i+1, translate.BytesBody(p))
		if err != nil {
			t.Fatal(err)
		}
		req.Parts = append(req.Parts, translate.CompletePart{Number: i + 1, Size: pi.Size, ETag: pi.ETag})
	}
	return req
}

func content(t *testing.T, b *Backend, key string) (string, error) {
	t.Helper()
	obj, err := b.GetObject(t.Context(), "bkt", key, nil)
	if err != nil {
		return "", err
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	return string(data), err
}

func listed(t *testing.T, b *Backend, id string) bool {
	t.Helper()
	page, err := b.ListMultipartUploads(t.Context(), "bkt", translate.UploadsQuery{MaxUploads: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range page.Uploads {
		if u.ID == id {
			return true
		}
	}
	return false
}

// TestCompleteCrashWindow kills a Complete at each step of its journal
// and checks what a client sees afterwards. Before the object is renamed
// into place the upload is still there, takes no new parts, lists the
// committed parts, and a re-Complete finishes it with the right content.
// After the rename the upload is no longer listed; a re-Complete answers
// the same result while the object is the one it made, and NoSuchUpload
// once the key was overwritten: the old content never comes back. Nothing
// is left behind either way.
func TestCompleteCrashWindow(t *testing.T) {
	steps := []struct {
		step   string
		n      int
		placed bool // the object is in place after the kill
	}{
		{stepCommitted, 1, false},
		{stepAppended, 1, false},
		{stepConsumed, 1, false},
		{stepAppended, 2, false},
		{stepConsumed, 2, false},
		{stepAppended, 3, false},
		{stepConsumed, 3, false},
		{stepAssembled, 1, false},
		{stepRenamed, 1, true},
	}
	p1, p2, p3 := bytes.Repeat([]byte("a"), 1000), bytes.Repeat([]byte("b"), 2000), []byte("c")
	want := string(p1) + string(p2) + string(p3)
	for _, fsync := range []bool{false, true} {
		for _, s := range steps {
			for _, overwrite := range []bool{false, true} {
				t.Run(fmt.Sprintf("fsync=%v/%s#%d/overwrite=%v", fsync, s.step, s.n, overwrite), func(t *testing.T) {
					b, root := newTestBackend(t, fsync)
					ctx := t.Context()
					if err := b.CreateBucket(ctx, "bkt"); err != nil {
						t.Fatal(err)
					}
					req := startUpload(t, b, "k", p1, p2, p3)
					b.hook = killAt(s.step, s.n)
					if _, err := b.CompleteMultipartUpload(ctx, req); !errors.Is(err, errKilled) {
						t.Fatalf("Complete = %v, want the kill", err)
					}
					b.hook = nil

					got, err := content(t, b, "k")
					if s.placed != (err == nil) || s.placed && got != want {
						t.Fatalf("after the kill: object %d bytes, err %v; want placed=%v", len(got), err, s.placed)
					}
					if listed(t, b, req.UploadID) == s.placed {
						t.Errorf("upload listed = %v, want %v", !s.placed, !s.placed)
					}
					if !s.placed {
						parts, err := b.ListParts(ctx, "bkt", "k", req.UploadID, 0, 1000)
						if err != nil || len(parts.Parts) != 3 || parts.Parts[1].Size != 2000 || parts.Parts[1].ETag != req.Parts[1].ETag {
							t.Errorf("ListParts of the committed upload = %+v, %v; want its 3 parts", parts, err)
						}
						_, err = b.UploadPart(ctx, "bkt", "k", req.UploadID, 4, translate.BytesBody([]byte("late")))
						if translate.CodeOf(err) != translate.ErrNoSuchUpload {
							t.Errorf("UploadPart to a committed upload = %v, want NoSuchUpload", err)
						}
					}
					if overwrite {
						if _, err := b.PutObject(ctx, "bkt", "k", translate.BytesBody([]byte("new")), translate.Metadata{}); err != nil {
							t.Fatal(err)
						}
					}

					info, err := b.CompleteMultipartUpload(ctx, req)
					switch {
					case s.placed && overwrite:
						if translate.CodeOf(err) != translate.ErrNoSuchUpload {
							t.Errorf("re-Complete after an overwrite = %+v, %v; want NoSuchUpload", info, err)
						}
						if got, _ := content(t, b, "k"); got != "new" {
							t.Errorf("after the re-Complete the object is %d bytes, want the overwrite", len(got))
						}
					default:
						// Not yet placed: the re-Complete is the client's
						// retry and finishes the upload, over an overwrite
						// as any Complete would. Placed and not
						// overwritten: the same result.
						if err != nil || info.Size != int64(len(want)) || info.ETag != "abc-3" {
							t.Errorf("re-Complete = %+v, %v; want the completed object", info, err)
						}
						if got, _ := content(t, b, "k"); got != want {
							t.Errorf("after the re-Complete the object is %d bytes, want the upload's %d", len(got), len(want))
						}
					}
					if listed(t, b, req.UploadID) {
						t.Error("the upload is still listed after the re-Complete")
					}
					if _, err := b.CompleteMultipartUpload(ctx, req); translate.CodeOf(err) != translate.ErrNoSuchUpload {
						t.Errorf("a third Complete = %v, want NoSuchUpload", err)
					}
					assertNoLeftovers(t, root)
				})
			}
		}
	}
}

// TestCompleteKilledThenSwept: an upload whose Complete was killed after
// the object was placed is freed by the sweep, counted as trash.
func TestCompleteKilledThenSwept(t *testing.T) {
	b, root := newTestBackend(t, false)
	if err := b.CreateBucket(t.Context(), "bkt"); err != nil {
		t.Fatal(err)
	}
	req := startUpload(t, b, "k", []byte("x"), []byte("y"))
	b.hook = killAt(stepRenamed, 1)
	if _, err := b.CompleteMultipartUpload(t.Context(), req); !errors.Is(err, errKilled) {
		t.Fatalf("Complete = %v, want the kill", err)
	}
	b.hook = nil
	if got := b.Sweep(); got.Trash != 1 {
		t.Errorf("sweep = %+v, want the completed upload freed as trash", got)
	}
	if err := b.AbortMultipartUpload(t.Context(), "bkt", "k", req.UploadID); translate.CodeOf(err) != translate.ErrNoSuchUpload {
		t.Errorf("Abort after the sweep = %v, want NoSuchUpload", err)
	}
	if got, err := content(t, b, "k"); err != nil || got != "xy" {
		t.Errorf("object = %q, %v", got, err)
	}
	assertNoLeftovers(t, root)
}

// TestCompleteSpace measures the bucket's bytes on disk at every step of a
// Complete: the parts are consumed as they are appended, so the peak is
// the parts plus one part (and headers), not twice the object.
func TestCompleteSpace(t *testing.T) {
	b, root := newTestBackend(t, false)
	if err := b.CreateBucket(t.Context(), "bkt"); err != nil {
		t.Fatal(err)
	}
	const partSize, parts = 256 << 10, 8
	var bodies [][]byte
	for i := range parts {
		bodies = append(bodies, bytes.Repeat([]byte{byte('a' + i)}, partSize))
	}
	req := startUpload(t, b, "big", bodies...)
	peak := int64(0)
	b.hook = func(string) error {
		peak = max(peak, diskUse(t, filepath.Join(root, "bkt")))
		return nil
	}
	if _, err := b.CompleteMultipartUpload(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	const slack = 64 << 10 // headers, upload.json, complete.json
	if limit := int64((parts+1)*partSize + slack); peak > limit || peak < parts*partSize {
		t.Errorf("peak disk use during Complete = %d bytes; want between %d and %d (copying would need %d)",
			peak, parts*partSize, limit, 2*parts*partSize)
	}
	if got, err := content(t, b, "big"); err != nil || got != string(bytes.Join(bodies, nil)) {
		t.Errorf("assembled object wrong (%d bytes, %v)", len(got), err)
	}
}

// diskUse returns the bytes allocated to the files under dir.
func diskUse(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	filepath.WalkDir(dir, func(p string, d iofs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			var st os.FileInfo
			if st, err = d.Info(); err == nil {
				n += st.Size()
			}
		}
		return nil
	})
	return n
}

// assertNoLeftovers checks that the bucket holds no temporary file, trash
// or upload.
func assertNoLeftovers(t *testing.T, root string) {
	t.Helper()
	for _, d := range []string{tmpDir, uploadsDir} {
		ents, _ := os.ReadDir(filepath.Join(root, "bkt", d))
		for _, e := range ents {
			t.Errorf("left behind: bkt/%s/%s", d, e.Name())
		}
	}
}

// TestCompleteCrashThroughEngine replays the window that matters, a kill
// after the object was placed and before the upload was freed, through
// the engine as a client's retried Complete reaches it: the upload is not
// listed; the retry answers the same ETag while the object is the one it
// made, NoSuchUpload after an overwrite, which stays.
func TestCompleteCrashThroughEngine(t *testing.T) {
	for _, overwrite := range []bool{false, true} {
		t.Run(fmt.Sprintf("overwrite=%v", overwrite), func(t *testing.T) {
			ctx := t.Context()
			b, root := newTestBackend(t, false)
			e, err := translate.NewEngine(translate.EngineConfig{Backends: map[string]translate.Backend{"fs": b},
				Default: "fs", UploadIDSecret: []byte("0123456789abcdef-complete-crash")})
			if err != nil {
				t.Fatal(err)
			}
			rules := translate.S3Rules
			rules.MinPartSize = 1
			c := translate.Caller{Principal: &translate.Principal{AccessKey: "ak",
				Grants: []translate.Grant{{Pattern: "*", Access: translate.AccessWrite}}}, Rules: &rules}
			if err := e.CreateBucket(ctx, c, "bkt"); err != nil {
				t.Fatal(err)
			}
			id, _, err := e.CreateMultipartUpload(ctx, c, translate.CreateUploadRequest{Bucket: "bkt", Key: "k"})
			if err != nil {
				t.Fatal(err)
			}
			req := translate.CompleteUploadRequest{Bucket: "bkt", Key: "k", UploadID: id, ObjectSize: -1}
			for n, data := range []string{"old-", "content"} {
				p, _, err := e.UploadPart(ctx, c, translate.UploadPartRequest{Bucket: "bkt", Key: "k", UploadID: id, PartNumber: n + 1,
					Body: translate.BodyInput{Reader: bytes.NewReader([]byte(data)), Size: int64(len(data))}})
				if err != nil {
					t.Fatal(err)
				}
				req.Parts = append(req.Parts, translate.ClientPart{Number: n + 1, ETag: p.ETag})
			}
			b.hook = killAt(stepRenamed, 1)
			if _, err := e.CompleteMultipartUpload(ctx, c, req); !errors.Is(err, errKilled) {
				t.Fatalf("Complete = %v, want the kill", err)
			}
			b.hook = nil
			first, _ := b.HeadObject(ctx, "bkt", "k")
			ups, err := e.ListMultipartUploads(ctx, c, "bkt", translate.UploadsQuery{MaxUploads: 1000})
			if err != nil || len(ups.Uploads) != 0 {
				t.Errorf("ListMultipartUploads after the kill = %d uploads, %v; want none", len(ups.Uploads), err)
			}
			if overwrite {
				if _, err := e.PutObject(ctx, c, translate.PutRequest{Bucket: "bkt", Key: "k",
					Body: translate.BodyInput{Reader: bytes.NewReader([]byte("new")), Size: 3}}); err != nil {
					t.Fatal(err)
				}
			}
			info, err := e.CompleteMultipartUpload(ctx, c, req)
			if overwrite {
				if translate.CodeOf(err) != translate.ErrNoSuchUpload {
					t.Errorf("retried Complete after an overwrite = %+v, %v; want NoSuchUpload", info, err)
				}
			} else if err != nil || info.ETag != first.ETag {
				t.Errorf("retried Complete = %+v, %v; want the same result (ETag %s)", info, err, first.ETag)
			}
			want := map[bool]string{false: "old-content", true: "new"}[overwrite]
			if got, err := content(t, b, "k"); err != nil || got != want {
				t.Errorf("object = %q, %v; want %q", got, err, want)
			}
			// Once the upload is freed, the engine answers a repeat from the
			// object's record (Completing twice, within its window), and
			// never from content an overwrite replaced.
			again, err := e.CompleteMultipartUpload(ctx, c, req)
			if overwrite {
				if translate.CodeOf(err) != translate.ErrNoSuchUpload {
					t.Errorf("another Complete after an overwrite = %v, want NoSuchUpload", err)
				}
			} else if err != nil || again.ETag != first.ETag {
				t.Errorf("another Complete = %+v, %v; want the same result (ETag %s)", again, err, first.ETag)
			}
			assertNoLeftovers(t, root)
		})
	}
}
