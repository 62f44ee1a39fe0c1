package storekit

import (
	"context"
	"slices"
	"strings"

	"github.com/babelgate/babelgate/translate"
)

// KeptMeta is the user-metadata name of the entry the kit puts on every
// object it writes (Put, copies, the store upload of a Complete): Kept,
// in its on-store form (Kept.Encode). It never reaches a client: a
// client's own metadata of that name is dropped on writes, and reads take
// the entry out. With it HEAD and GET make one store call: the annex is
// looked up only when the entry says one may exist, or when an object has
// no entry (written by an earlier version, or straight to the store).
//
// The name and the form are an on-store format, as the annex's is.
const KeptMeta = "babelgate-kept"

// keptVersion begins every entry. A reader that meets another version
// treats the object as having no entry (it looks the annex up).
const keptVersion = "1"

// Kept is what the kit keeps about an object in the store's own user
// metadata.
type Kept struct {
	// Annex: an annex may exist; reads look it up, and one that matches
	// the object replaces what the entry says.
	Annex bool
	// ETag is the client's ETag when it is not the store's; "" otherwise.
	ETag string
	// Checksums are every checksum a client sees, with their type;
	// nil means the store's own stand (it keeps every one there is).
	Checksums    translate.Checksums
	ChecksumType translate.ChecksumType
}

// Encode is k's on-store form: "1", then ";a" when Annex, ";e=<etag>",
// ";t=F" or ";t=C" (FULL_OBJECT, COMPOSITE), and ";<ALGORITHM>=<value>"
// for each checksum, algorithms in byte order, e.g.
// "1;t=F;CRC64ECMA=pC6R6pnqaRg=;CRC64NVME=nu9W0UHd8PI=". ok is false when a
// value cannot be held (a byte outside the header-safe set each field
// allows): the caller keeps k in an annex instead.
func (k Kept) Encode() (string, bool) {
	var sb strings.Builder
	sb.WriteString(keptVersion)
	if k.Annex {
		sb.WriteString(";a")
	}
	if k.ETag != "" {
		if !token(k.ETag, "-") {
			return "", false
		}
		sb.WriteString(";e=" + k.ETag)
	}
	if len(k.Checksums) > 0 {
		switch k.ChecksumType {
		case translate.ChecksumFullObject:
			sb.WriteString(";t=F")
		case translate.ChecksumComposite:
			sb.WriteString(";t=C")
		case "":
		default:
			return "", false
		}
	}
	algs := make([]string, 0, len(k.Checksums))
	for a := range k.Checksums {
		algs = append(algs, string(a))
	}
	slices.Sort(algs)
	for _, a := range algs {
		v := k.Checksums[translate.ChecksumAlgorithm(a)]
		if !isAlgorithm(a) || v == "" || !token(v, "+/=-") {
			return "", false
		}
		sb.WriteString(";" + a + "=" + v)
	}
	return sb.String(), true
}

// ParseKept decodes an entry Encode wrote; ok is false for another
// version or a malformed entry, which the reader treats as no entry.
func ParseKept(s string) (Kept, bool) {
	fields := strings.Split(s, ";")
	if fields[0] != keptVersion {
		return Kept{}, false
	}
	var k Kept
	for _, f := range fields[1:] {
		name, v, hasValue := strings.Cut(f, "=")
		switch {
		case name == "a" && !hasValue:
			k.Annex = true
		case name == "e" && token(v, "-"):
			k.ETag = v
		case name == "t" && v == "F":
			k.ChecksumType = translate.ChecksumFullObject
		case name == "t" && v == "C":
			k.ChecksumType = translate.ChecksumComposite
		case isAlgorithm(name) && v != "" && token(v, "+/=-"):
			if k.Checksums == nil {
				k.Checksums = translate.Checksums{}
			}
			k.Checksums[translate.ChecksumAlgorithm(name)] = v
		default:
			return Kept{}, false
		}
	}
	if k.ChecksumType != "" && len(k.Checksums) == 0 {
		return Kept{}, false
	}
	return k, true
}

// token reports whether s is letters and digits, and bytes of extra.
func token(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return s != ""
}

// isAlgorithm reports whether s has the form of an algorithm's name:
// capital letters, digits and '_', beginning with a letter.
func isAlgorithm(s string) bool {
	return s != "" && 'A' <= s[0] && s[0] <= 'Z' && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == ""
}

// Apply gives info what k says: its ETag and checksums when it has them.
func (k Kept) Apply(info *translate.ObjectInfo) {
	if k.ETag != "" {
		info.ETag = k.ETag
	}
	if len(k.Checksums) > 0 {
		info.Checksum, info.ChecksumType = k.Checksums.Clone(), k.ChecksumType
	}
}

// KeptMaxLen is the longest Encode of a Kept with the annex flag, a
// checksum type, a value of each of algs and, when etag, an MD5 ETag: what
// a write must leave room for before it knows the values.
func KeptMaxLen(algs []translate.ChecksumAlgorithm, etag bool) int {
	n := len(keptVersion) + len(";a") + len(";t=F")
	if etag {
		n += len(";e=") + 32
	}
	for _, a := range algs {
		n += 1 + len(a) + 1 + (a.Size()+2)/3*4
	}
	return n
}

// TakeKept removes the kit's entry from m's user metadata and decodes it;
// ok is false when there is none or it does not decode.
func TakeKept(m *translate.Metadata) (Kept, bool) {
	v, has := m.User[KeptMeta]
	if !has {
		return Kept{}, false
	}
	delete(m.User, KeptMeta)
	if len(m.User) == 0 {
		m.User = nil
	}
	return ParseKept(v)
}

// ApplyKept gives info, an object as the store described it (the kit's
// entry still in its user metadata), what the kit keeps about it: the
// entry's values, then the annex when the entry says one may exist or
// there is no entry. The entry leaves info's metadata. Without an annex
// to look up this calls nothing.
func (s *Stager) ApplyKept(ctx context.Context, bucket string, info *translate.ObjectInfo) error {
	k, ok := TakeKept(&info.Metadata)
	if ok {
		k.Apply(info)
		if !k.Annex {
			return nil
		}
	}
	return s.ReadAnnex(ctx, bucket, info)
}

// MetadataUpdater is implemented by a driver whose store replaces an
// object's metadata without its bytes, declared by Abilities.MetadataUpdate.
// The kit uses it to keep, in the object's own metadata, values known only
// once the body has passed.
type MetadataUpdater interface {
	// UpdateMetadata replaces key's metadata (content headers and user
	// metadata, all of it, as Put takes them) only if the store holds key
	// with storeETag, the ETag Put returned, evaluated by the store with
	// the update (S3: a CopyObject onto itself with x-amz-copy-source-if-
	// match; OSS: x-oss-copy-source-if-match; Azure: Set Blob Metadata
	// with If-Match). The object's bytes, size and ETag stay as they were
	// (an S3-like store keeps a single object's MD5 ETag on a copy). A
	// refused condition is the store's error that Classify makes
	// ErrPreconditionFailed; a key gone, its not-found error. The call
	// carries no body: the kit bounds and retries it.
	UpdateMetadata(ctx context.Context, bucket, key, storeETag string, meta translate.Metadata) error
}

// metaSize is what m's user metadata counts against
// Abilities.MaxMetadataSize.
func metaSize(m translate.Metadata) int {
	n := 0
	for k, v := range m.User {
		n += len(k) + len(v)
	}
	return n
}

// fits reports whether an entry of up to n bytes fits beside meta (as the
// store gets it) under the store's limit.
func (b *Backend) fits(meta translate.Metadata, n int) bool {
	return b.ab.MaxMetadataSize <= 0 || metaSize(b.toStore(meta, ""))+len(KeptMeta)+n <= b.ab.MaxMetadataSize
}

// entry is k's on-store form when it fits beside meta, else "" (no entry:
// reads look the annex up).
func (b *Backend) entry(meta translate.Metadata, k Kept) string {
	s, ok := k.Encode()
	if !ok || !b.fits(meta, len(s)) {
		return ""
	}
	return s
}

// bodyAlgorithms lists the checksum algorithms body computes (known before
// it is read; their values only after).
func bodyAlgorithms(body *translate.Body) []translate.ChecksumAlgorithm {
	var out []translate.ChecksumAlgorithm
	for _, d := range body.Digests() {
		if a := translate.ChecksumAlgorithm(d); a.Size() > 0 {
			out = append(out, a)
		}
	}
	return out
}

// keepPlan is how a PutObject keeps the values the store does not.
type keepPlan int

const (
	keepNothing keepPlan = iota // the store keeps every checksum
	keepUpdate                  // a metadata update after the store accepted the body
	keepAnnex                   // an annex, as before
)

// planPut decides, before the body, how a PutObject of body with meta
// keeps what the store will not (fwd are the checksums forwarded to it):
// nothing; a metadata update, when the driver can, the object is small
// enough for it (Abilities.MetadataUpdateMaxSize) and the values fit; else
// an annex. It returns the entry written with the object: "1" when
// nothing is to keep; "1;a" when an annex or an update follows (a reader
// between the two, or after an update that failed over to an annex, looks
// the annex up); none when even that does not fit.
func (b *Backend) planPut(body *translate.Body, meta translate.Metadata, fwd translate.Checksums) (keepPlan, string) {
	algs := bodyAlgorithms(body)
	unkept := slices.ContainsFunc(algs, func(a translate.ChecksumAlgorithm) bool { return !b.computed[a] && fwd[a] == "" })
	if !unkept {
		return keepNothing, b.entry(meta, Kept{})
	}
	md5 := slices.Contains(body.Digests(), "ETag-MD5")
	small := b.ab.MetadataUpdateMaxSize <= 0 || body.Size() <= b.ab.MetadataUpdateMaxSize
	if b.ab.MetadataUpdate && small && b.fits(meta, KeptMaxLen(algs, md5)) {
		return keepUpdate, b.entry(meta, Kept{Annex: true})
	}
	return keepAnnex, b.entry(meta, Kept{Annex: true})
}

// keepAfterPut keeps info's checksums (and its ETag when the store's,
// storeETag, is another) in key's metadata by a metadata update
// conditioned on storeETag. A refused condition or a key gone means a
// newer write owns the key: nothing to keep. Any other failure falls back
// to an annex (the entry written with the object already says to look).
func (b *Backend) keepAfterPut(ctx context.Context, bucket, key, storeETag string, meta translate.Metadata, info translate.ObjectInfo) error {
	k := Kept{Checksums: info.Checksum, ChecksumType: info.ChecksumType}
	if info.ETag != normETag(storeETag) {
		k.ETag = info.ETag
	}
	if e := b.entry(meta, k); e != "" && storeETag != "" {
		err := b.do(ctx, bucket, key, func(ctx context.Context) error {
			return b.d.UpdateMetadata(ctx, bucket, key, storeETag, b.toStore(meta, e))
		})
		switch translate.CodeOf(err) {
		case 0, translate.ErrPreconditionFailed, translate.ErrNoSuchKey:
			return nil
		}
	}
	return b.writeAnnex(ctx, bucket, key, storeETag, SingleAnnex(info, ""))
}
