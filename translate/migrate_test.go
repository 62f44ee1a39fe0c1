package translate_test

import (
	"context"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/babelgate/babelgate/backends/fs"
	"github.com/babelgate/babelgate/translate"
)

// migrationFixture is an engine whose bucket "app" lives on backend "old"
// (bucket "app-old") and is then switched to migrate to backend "new"
// (bucket "app-new"), both fs.
type migrationFixture struct {
	t        *testing.T
	ctx      context.Context
	e        *translate.Engine
	c        translate.Caller
	old, new *fs.Backend
	plain    []translate.Route
}

func newMigrationFixture(t *testing.T) *migrationFixture {
	t.Helper()
	f := &migrationFixture{t: t, ctx: context.Background()}
	var err error
	if f.old, err = fs.New(fs.Options{Root: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if f.new, err = fs.New(fs.Options{Root: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	for _, b := range []struct {
		be   *fs.Backend
		name string
	}{{f.old, "app-old"}, {f.new, "app-new"}} {
		if err := b.be.CreateBucket(f.ctx, b.name); err != nil {
			t.Fatal(err)
		}
	}
	f.plain = []translate.Route{{Bucket: "app", Backend: "old", BackendBucket: "app-old"}}
	f.e, err = translate.NewEngine(translate.EngineConfig{
		Backends: map[string]translate.Backend{"old": f.old, "new": f.new}, Default: "new",
		Routes: f.plain, UploadIDSecret: []byte("0123456789abcdef-migrate-test"),
	})
	if err != nil {
		t.Fatal(err)
	}
	rules := translate.S3Rules
	rules.MinPartSize = 1
	f.c = translate.Caller{Principal: &translate.Principal{AccessKey: "ak", Grants: []translate.Grant{{Pattern: "*", Access: translate.AccessWrite}}}, Rules: &rules}
	return f
}

// migrate switches the route to the migration.
func (f *migrationFixture) migrate(copyOnRead bool) {
	f.t.Helper()
	if err := f.e.SetRoutes([]translate.Route{{Bucket: "app", Backend: "new", BackendBucket: "app-new",
		Source: &translate.RouteSide{Backend: "old", Bucket: "app-old"}, CopyOnRead: copyOnRead}}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *migrationFixture) put(key, data string, meta translate.Metadata) translate.ObjectInfo {
	f.t.Helper()
	info, err := f.e.PutObject(f.ctx, f.c, translate.PutRequest{Bucket: "app", Key: key, Metadata: meta,
		Body: translate.BodyInput{Reader: strings.NewReader(data), Size: int64(len(data)),
			Options: translate.BodyOptions{Algorithms: []translate.ChecksumAlgorithm{translate.SHA256}}}})
	if err != nil {
		f.t.Fatalf("PutObject %s: %v", key, err)
	}
	return info
}

func (f *migrationFixture) get(key string) (string, translate.ObjectInfo, error) {
	o, err := f.e.GetObject(f.ctx, f.c, translate.GetRequest{Bucket: "app", Key: key})
	if err != nil {
		return "", translate.ObjectInfo{}, err
	}
	defer o.Body.Close()
	b, err := io.ReadAll(o.Body)
	return string(b), o.Info, err
}

func (f *migrationFixture) list(max int) []string {
	f.t.Helper()
	var keys []string
	after := ""
	for {
		p, err := f.e.ListObjects(f.ctx, f.c, "app", translate.ListQuery{After: after, MaxKeys: max})
		if err != nil {
			f.t.Fatal(err)
		}
		for _, o := range p.Objects {
			keys = append(keys, o.Key)
		}
		if !p.Truncated {
			return keys
		}
		after = p.Next
	}
}

// multipart uploads two parts and completes them.
func (f *migrationFixture) multipart(key string, begun string) translate.ObjectInfo {
	f.t.Helper()
	id := begun
	var err error
	if id == "" {
		id, _, err = f.e.CreateMultipartUpload(f.ctx, f.c, translate.CreateUploadRequest{Bucket: "app", Key: key,
			Metadata: translate.Metadata{ContentType: "video/mp4"}, ChecksumAlgorithm: translate.CRC32})
		if err != nil {
			f.t.Fatal(err)
		}
	}
	var parts []translate.ClientPart
	for n, data := range []string{"first part ", "second"} {
		p, _, err := f.e.UploadPart(f.ctx, f.c, translate.UploadPartRequest{Bucket: "app", Key: key, UploadID: id, PartNumber: n + 1,
			Body: translate.BodyInput{Reader: strings.NewReader(data), Size: int64(len(data)),
				Options: translate.BodyOptions{ClientAlgorithm: translate.CRC32}}})
		if err != nil {
			f.t.Fatalf("UploadPart %d: %v", n+1, err)
		}
		parts = append(parts, translate.ClientPart{Number: n + 1, ETag: p.ETag})
	}
	info, err := f.e.CompleteMultipartUpload(f.ctx, f.c, translate.CompleteUploadRequest{Bucket: "app", Key: key, UploadID: id, Parts: parts, ObjectSize: -1})
	if err != nil {
		f.t.Fatalf("Complete %s: %v", key, err)
	}
	return info
}

func sameObject(t *testing.T, what string, got, want translate.ObjectInfo) {
	t.Helper()
	if got.ETag != want.ETag || got.Size != want.Size || !reflect.DeepEqual(got.Checksum, want.Checksum) || got.ChecksumType != want.ChecksumType ||
		got.Metadata.ContentType != want.Metadata.ContentType || got.Metadata.User["owner"] != want.Metadata.User["owner"] ||
		got.Metadata.StorageClass != want.Metadata.StorageClass || len(got.PartSizes) != len(want.PartSizes) {
		t.Errorf("%s: got %+v\nwant %+v", what, got, want)
	}
}

// TestMigratingRoute: reads fall through, writes land on the destination,
// listings merge, deletes never resurrect, an upload begun before the
// migration completes on the source and is copied, and the copy keeps
// ETags, checksums and metadata.
func TestMigratingRoute(t *testing.T) {
	f := newMigrationFixture(t)
	meta := translate.Metadata{ContentType: "text/plain", User: map[string]string{"owner": "ann"}, StorageClass: "STANDARD_IA"}
	before := map[string]translate.ObjectInfo{}
	for _, k := range []string{"a", "b", "c", "d"} {
		before[k] = f.put(k, "old "+k, meta)
	}
	before["mp"] = f.multipart("mp", "")
	oldUpload, _, err := f.e.CreateMultipartUpload(f.ctx, f.c, translate.CreateUploadRequest{Bucket: "app", Key: "late",
		ChecksumAlgorithm: translate.CRC32})
	if err != nil {
		t.Fatal(err)
	}

	f.migrate(false)
	// Reads fall through to the source, whole, by range and by part.
	if s, info, err := f.get("a"); err != nil || s != "old a" {
		t.Fatalf("fall-through GET: %q %v", s, err)
	} else {
		sameObject(t, "fall-through GET", info, before["a"])
	}
	o, err := f.e.GetObject(f.ctx, f.c, translate.GetRequest{Bucket: "app", Key: "mp", PartNumber: 2})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(o.Body)
	o.Body.Close()
	if string(got) != "second" {
		t.Fatalf("part 2 through the fall-through: %q", got)
	}
	o, err = f.e.GetObject(f.ctx, f.c, translate.GetRequest{Bucket: "app", Key: "a", Range: "bytes=1-3"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(o.Body)
	o.Body.Close()
	if string(got) != "ld " {
		t.Fatalf("range through the fall-through: %q", got)
	}
	attrs, err := f.e.GetObjectAttributes(f.ctx, f.c, translate.AttributesRequest{Bucket: "app", Key: "mp"})
	if err != nil || attrs.PartsCount != 2 || !attrs.PartsListed || attrs.Info.ETag != before["mp"].ETag {
		t.Fatalf("GetObjectAttributes through the fall-through: %+v %v", attrs, err)
	}
	// Writes go to the destination only, and win over the source.
	f.put("b", "new b", meta)
	f.put("e", "new e", meta)
	if _, err := f.old.HeadObject(f.ctx, "app-old", "e"); translate.CodeOf(err) != translate.ErrNoSuchKey {
		t.Fatalf("a write reached the source: %v", err)
	}
	if s, _, _ := f.get("b"); s != "new b" {
		t.Fatalf("GET b after the overwrite: %q", s)
	}
	// An If-None-Match write sees the object on the source.
	_, err = f.e.PutObject(f.ctx, f.c, translate.PutRequest{Bucket: "app", Key: "c", Cond: translate.WriteCond{IfAbsent: true},
		Body: translate.BodyInput{Reader: strings.NewReader("x"), Size: 1}})
	if translate.CodeOf(err) != translate.ErrObjectExists {
		t.Fatalf("If-None-Match on a key only on the source: %v", err)
	}
	// Deletes remove the key from both sides; the tombstone stays hidden.
	if err := f.e.DeleteObject(f.ctx, f.c, "app", "c"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.get("c"); translate.CodeOf(err) != translate.ErrNoSuchKey {
		t.Fatalf("GET of a deleted key: %v", err)
	}
	for _, max := range []int{1, 2, 1000} {
		if keys := strings.Join(f.list(max), ","); keys != "a,b,d,e,mp" {
			t.Fatalf("listing by %d: %s", max, keys)
		}
	}
	// Uploads of both sides are listed, each with the ID that opens it.
	newUpload, _, err := f.e.CreateMultipartUpload(f.ctx, f.c, translate.CreateUploadRequest{Bucket: "app", Key: "fresh"})
	if err != nil {
		t.Fatal(err)
	}
	ups, err := f.e.ListMultipartUploads(f.ctx, f.c, "app", translate.UploadsQuery{})
	if err != nil || len(ups.Uploads) != 2 || ups.Uploads[0].Key != "fresh" || ups.IDs[0] != newUpload || ups.Uploads[1].Key != "late" || ups.IDs[1] != oldUpload {
		t.Fatalf("uploads of both sides: %+v %v", ups, err)
	}
	if err := f.e.AbortMultipartUpload(f.ctx, f.c, "app", "fresh", newUpload); err != nil {
		t.Fatalf("aborting the destination's upload: %v", err)
	}
	// The upload begun before the migration completes on the source and
	// is copied to the destination, even after its key was written and
	// deleted meanwhile (the tombstone is older than the completion).
	f.put("late", "short-lived", meta)
	if err := f.e.DeleteObject(f.ctx, f.c, "app", "late"); err != nil {
		t.Fatal(err)
	}
	late := f.multipart("late", oldUpload)
	if s, _, err := f.get("late"); err != nil || s != "first part second" {
		t.Fatalf("GET of the completed source upload: %q %v", s, err)
	}
	if info, err := f.new.HeadObject(f.ctx, "app-new", "late"); err != nil {
		t.Fatalf("the completed source upload was not copied: %v", err)
	} else {
		sameObject(t, "copied completion", info, late)
	}
	ups, err = f.e.ListMultipartUploads(f.ctx, f.c, "app", translate.UploadsQuery{})
	if err != nil || len(ups.Uploads) != 0 {
		t.Fatalf("uploads left: %+v %v", ups, err)
	}

	// The bulk copy: everything not yet on the destination, once.
	g, err := f.e.Migration("app")
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]translate.CopyOutcome{}
	for _, k := range []string{"a", "b", "c", "d", "mp", "late"} {
		out, _, err := g.Copy(f.ctx, k, nil)
		if err != nil {
			t.Fatalf("Copy %s: %v", k, err)
		}
		outcomes[k] = out
	}
	// b was overwritten through the gateway: its source object is
	// superseded (a tombstone), so it is not copied.
	want := map[string]translate.CopyOutcome{"a": translate.Copied, "b": translate.Gone, "c": translate.Gone,
		"d": translate.Copied, "mp": translate.Copied, "late": translate.Gone} // late: copied at completion, its tombstone older
	for k, w := range want {
		if outcomes[k] != w {
			t.Errorf("Copy %s: %v, want %v", k, outcomes[k], w)
		}
	}
	if d, err := g.Compare(f.ctx, "b"); err != nil || d != nil {
		t.Errorf("Compare of an overwritten key: %+v %v", d, err)
	}
	for _, k := range []string{"a", "d", "mp"} {
		info, err := f.new.HeadObject(f.ctx, "app-new", k)
		if err != nil {
			t.Fatalf("%s not on the destination: %v", k, err)
		}
		sameObject(t, "copied "+k, info, before[k])
		if d, err := g.Compare(f.ctx, k); err != nil || d != nil {
			t.Errorf("Compare %s: %+v %v", k, d, err)
		}
	}
	// A copy racing a delete: the source keeps "c" (as a read-only source
	// would), the tombstone still wins.
	f.put("c2", "x", meta) // on the destination
	body, _ := translate.NewBody(strings.NewReader("zombie"), 6, translate.BodyOptions{})
	if _, err := f.old.PutObject(f.ctx, "app-old", "c", body, translate.Metadata{}); err != nil {
		t.Fatal(err)
	}
	if out, _, err := g.Copy(f.ctx, "c", nil); err != nil || out != translate.Gone {
		t.Fatalf("Copy of a tombstoned key: %v %v", out, err)
	}
	if _, _, err := f.get("c"); translate.CodeOf(err) != translate.ErrNoSuchKey {
		t.Fatalf("deleted key came back: %v", err)
	}
	if d, err := g.Compare(f.ctx, "c"); err != nil || d != nil {
		t.Errorf("Compare of a tombstoned key: %+v %v", d, err)
	}
	if keys := strings.Join(f.list(1), ","); keys != "a,b,c2,d,e,late,mp" {
		t.Fatalf("listing after the copy: %s", keys)
	}
	// Reserved keys are refused.
	_, err = f.e.PutObject(f.ctx, f.c, translate.PutRequest{Bucket: "app", Key: translate.MigrateNamespace + "x",
		Body: translate.BodyInput{Reader: strings.NewReader("x"), Size: 1}})
	if translate.CodeOf(err) != translate.ErrInvalidArgument {
		t.Fatalf("write under the namespace: %v", err)
	}

	// Cut over: the route names the destination alone; every key reads.
	if err := f.e.SetRoutes([]translate.Route{{Bucket: "app", Backend: "new", BackendBucket: "app-new"}}); err != nil {
		t.Fatal(err)
	}
	if n, err := f.e.Cleanup(f.ctx, "app"); err != nil || n == 0 {
		t.Fatalf("Cleanup: %d %v", n, err)
	}
	if keys := strings.Join(f.list(1000), ","); keys != "a,b,c2,d,e,late,mp" {
		t.Fatalf("listing after the cut-over: %s", keys)
	}
	for k, want := range map[string]string{"a": "old a", "b": "new b", "mp": "first part second"} {
		if s, _, err := f.get(k); err != nil || s != want {
			t.Fatalf("GET %s after the cut-over: %q %v", k, s, err)
		}
	}
}

// TestCopyOnRead: a whole read from the source copies the object to the
// destination in the background.
func TestCopyOnRead(t *testing.T) {
	f := newMigrationFixture(t)
	info := f.put("k", "payload", translate.Metadata{ContentType: "a/b"})
	f.migrate(true)
	if s, _, err := f.get("k"); err != nil || s != "payload" {
		t.Fatalf("GET: %q %v", s, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := f.new.HeadObject(f.ctx, "app-new", "k")
		if err == nil {
			sameObject(t, "copy on read", got, info)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not copied on read: %v", err)
		}
		time.Sleep(10 * time.Millisecond) // waits for the condition; decides nothing
	}
}

// TestMigrationServerSide: both sides on one backend; the backend copies
// (ServerSide), keeping ETag, checksums and metadata.
func TestMigrationServerSide(t *testing.T) {
	f := newMigrationFixture(t)
	if err := f.new.CreateBucket(f.ctx, "app-src"); err != nil {
		t.Fatal(err)
	}
	if err := f.e.SetRoutes([]translate.Route{{Bucket: "app", Backend: "new", BackendBucket: "app-src"}}); err != nil {
		t.Fatal(err)
	}
	want := map[string]translate.ObjectInfo{
		"k":  f.put("k", "same store", translate.Metadata{ContentType: "x/y", User: map[string]string{"owner": "bo"}}),
		"mp": f.multipart("mp", ""),
	}
	if err := f.e.SetRoutes([]translate.Route{{Bucket: "app", Backend: "new", BackendBucket: "app-new",
		Source: &translate.RouteSide{Backend: "new", Bucket: "app-src"}}}); err != nil {
		t.Fatal(err)
	}
	g, err := f.e.Migration("app")
	if err != nil {
		t.Fatal(err)
	}
	if !g.ServerSide() {
		t.Fatal("one backend on both sides, and not server-side")
	}
	for k, w := range want {
		if out, _, err := g.Copy(f.ctx, k, nil); err != nil || out != translate.Copied {
			t.Fatalf("Copy %s: %v %v", k, out, err)
		}
		got, err := f.new.HeadObject(f.ctx, "app-new", k)
		if err != nil {
			t.Fatal(err)
		}
		sameObject(t, "server-side copy of "+k, got, w)
	}
	if _, err := f.e.Migration("other"); err == nil {
		t.Fatal("Migration of an unrouted bucket")
	}
}
