package glacier

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/translate"
)

// A Glacier upload ID seals, bound to the vault's bucket, the archive id
// the upload will become, its part size and the engine's own upload ID
// (itself sealed, bound to the archive's key). A made-up or altered ID
// fails to open: ResourceNotFoundException.
const uploadAAD = "glacier-upload"

type upload struct {
	archiveID string
	partSize  int64
	token     string // the engine's upload ID
}

func (d *Dialect) sealUpload(bucket string, u upload) string {
	return d.sealer.Seal(bucket, uploadAAD, translate.UploadRef{
		Backend: u.archiveID + "." + strconv.FormatInt(u.partSize, 10), ID: u.token})
}

func (d *Dialect) openUploadID(bucket, id string) (upload, error) {
	fail := uploadNotFound(id)
	ref, err := d.sealer.Open(bucket, uploadAAD, id)
	if err != nil {
		return upload{}, fail
	}
	a, s, ok := strings.Cut(ref.Backend, ".")
	n, err := strconv.ParseInt(s, 10, 64)
	if !ok || err != nil || !idRE.MatchString(a) || !validPartSize(n) {
		return upload{}, fail
	}
	return upload{archiveID: a, partSize: n, token: ref.ID}, nil
}

// callerFor returns the caller with Glacier's rules fixed to an upload's
// part size: every part but the last is exactly that size (the engine's
// minimum at Complete) and none is larger (its maximum at upload).
func callerFor(c translate.Caller, partSize int64) translate.Caller {
	rules := *c.Rules
	rules.MinPartSize, rules.MaxPartSize = partSize, partSize
	c.Rules = &rules
	return c
}

// initiateUpload: POST …/multipart-uploads, 201 with Location and
// x-amz-multipart-upload-id.
func (d *Dialect) initiateUpload(w http.ResponseWriter, o *vaultOp) error {
	r, bucket := o.r, o.bucket
	raw, err := requiredHeader(r, "x-amz-part-size")
	if err != nil {
		return err
	}
	size, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || !validPartSize(size) {
		return invalidParam("Invalid part size: " + raw + ". Part size must not be null, must be a power of two and be between 1048576 and 4294967296 bytes.")
	}
	desc, err := description(r)
	if err != nil {
		return err
	}
	id := newID()
	token, _, err := d.cfg.Engine.CreateMultipartUpload(r.HTTP.Context(), callerFor(r.Caller, size), translate.CreateUploadRequest{
		Bucket: bucket, Key: archiveKey(id), ChecksumAlgorithm: translate.SHA256Tree,
		Metadata: translate.Metadata{ContentType: "application/octet-stream",
			User: map[string]string{metaDesc: desc, metaPartSize: raw}}})
	if err != nil {
		return err
	}
	uid := d.sealUpload(bucket, upload{archiveID: id, partSize: size, token: token})
	w.Header().Set("Location", location(o.p, "multipart-uploads", uid))
	w.Header().Set("x-amz-multipart-upload-id", uid)
	w.WriteHeader(http.StatusCreated)
	return nil
}

// uploadPart: PUT …/multipart-uploads/{id}, 204 with the part's tree
// hash. The range must start on a part boundary and be at most the part
// size (shorter only for the last part; a short part elsewhere fails
// Complete); its length must be the body's.
func (d *Dialect) uploadPart(w http.ResponseWriter, o *uploadOp) error {
	r, u := o.r, o.u
	cr, err := requiredHeader(r, "Content-Range")
	if err != nil {
		return err
	}
	first, length, err := parseContentRange(cr)
	if err != nil {
		return invalidParam("Invalid Content-Range: " + cr)
	}
	size, err := contentLength(r)
	if err != nil {
		return err
	}
	if length != size {
		return invalidParam(fmt.Sprintf("Content-Range: %s does not match the Content-Length %d", cr, size))
	}
	if first%u.partSize != 0 || length > u.partSize {
		return invalidParam(fmt.Sprintf("Content-Range: %s is incompatible with the part size %d", cr, u.partSize))
	}
	number := int(first/u.partSize) + 1
	if number > Rules.MaxPartNumber {
		return invalidParam(fmt.Sprintf("Content-Range: %s is beyond the 10,000th part", cr))
	}
	tree, err := payloadHashes(r)
	if err != nil {
		return err
	}
	_, _, err = d.cfg.Engine.UploadPart(r.HTTP.Context(), callerFor(r.Caller, u.partSize), translate.UploadPartRequest{
		Bucket: o.bucket, Key: archiveKey(u.archiveID), UploadID: u.token, PartNumber: number, RawPartNumber: strconv.Itoa(number),
		Body: treeBody(r, size, tree)})
	if err != nil {
		return o.gone(err)
	}
	w.Header().Set("x-amz-sha256-tree-hash", translate.TreeHashHex(tree))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// partJSON is PartListElement.
type partJSON struct {
	RangeInBytes   string
	SHA256TreeHash *string
}

// listPartsJSON is ListPartsOutput.
type listPartsJSON struct {
	MultipartUploadId  string
	VaultARN           string
	ArchiveDescription *string
	PartSizeInBytes    int64
	CreationDate       string
	Parts              []partJSON
	Marker             *string
}

// listParts: GET …/multipart-uploads/{id}?marker&limit (default 50, at
// most 1000); Marker is the last part's number, null on the last page.
func (d *Dialect) listParts(w http.ResponseWriter, o *uploadOp) error {
	r, u := o.r, o.u
	limit, err := parseLimit(r, 50, 1000)
	if err != nil {
		return err
	}
	after := 0
	if m := r.Query.Get("marker"); m != "" {
		if after, err = strconv.Atoi(m); err != nil || after < 0 {
			return invalidParam("Invalid marker: " + m)
		}
	}
	page, info, err := d.cfg.Engine.ListParts(r.HTTP.Context(), r.Caller, o.bucket, archiveKey(u.archiveID), u.token, after, limit)
	if err != nil {
		return o.gone(err)
	}
	out := listPartsJSON{MultipartUploadId: o.p.id, VaultARN: d.vaultARN(r, o.p.vault), PartSizeInBytes: u.partSize,
		CreationDate: isoTime(info.Initiated), Parts: []partJSON{}}
	if desc, ok := info.Metadata.User[metaDesc]; ok && desc != "" {
		out.ArchiveDescription = &desc
	}
	for _, part := range page.Parts {
		start := int64(part.Number-1) * u.partSize
		pj := partJSON{RangeInBytes: fmt.Sprintf("%d-%d", start, start+part.Size-1)}
		if h := translate.TreeHashHex(part.Checksum[translate.SHA256Tree]); h != "" {
			pj.SHA256TreeHash = &h
		}
		out.Parts = append(out.Parts, pj)
	}
	if page.Truncated {
		m := strconv.Itoa(page.NextMarker)
		out.Marker = &m
	}
	return writeJSON(w, http.StatusOK, out)
}

// completeUpload: POST …/multipart-uploads/{id}, 201 with Location,
// x-amz-archive-id and the tree hash. Every part from the first on must be
// there, each but the last exactly the part size; x-amz-archive-size and
// x-amz-sha256-tree-hash must match what the stored part records say
// (sizes and part tree hashes: no data is read). A repeat of a completed
// upload within CompleteIdempotency answers with the same archive.
func (d *Dialect) completeUpload(w http.ResponseWriter, o *uploadOp) error {
	r, bucket, u := o.r, o.bucket, o.u
	rawSize, err := requiredHeader(r, "x-amz-archive-size")
	if err != nil {
		return err
	}
	archiveSize, err := strconv.ParseInt(rawSize, 10, 64)
	if err != nil || archiveSize < 0 {
		return invalidParam("Invalid x-amz-archive-size: " + rawSize)
	}
	tree, err := treeHashHeader(r)
	if err != nil {
		return err
	}
	ctx := r.HTTP.Context()
	c := callerFor(r.Caller, u.partSize)
	key := archiveKey(u.archiveID)
	var parts []translate.ClientPart
	var hashes []string
	var total int64
	short := -1
	after := 0
	for {
		page, _, err := d.cfg.Engine.ListParts(ctx, c, bucket, key, u.token, after, 1000)
		if translate.CodeOf(err) == translate.ErrNoSuchUpload {
			return d.completed(w, o, archiveSize, tree)
		}
		if err != nil {
			return err
		}
		for _, part := range page.Parts {
			if part.Number != len(parts)+1 {
				return invalidParam(fmt.Sprintf("Archive is missing the part at range %d-%d", int64(len(parts))*u.partSize, int64(len(parts)+1)*u.partSize-1))
			}
			if part.Size < u.partSize && short < 0 {
				short = len(parts)
			}
			parts = append(parts, translate.ClientPart{Number: part.Number, ETag: part.ETag})
			hashes = append(hashes, part.Checksum[translate.SHA256Tree])
			total += part.Size
		}
		if !page.Truncated || len(page.Parts) == 0 {
			break
		}
		after = page.NextMarker
	}
	if len(parts) == 0 {
		return invalidParam("The multipart upload has no parts.")
	}
	if total != archiveSize {
		return invalidParam(fmt.Sprintf("Invalid archive size %d: the uploaded parts hold %d bytes", archiveSize, total))
	}
	if short >= 0 && short < len(parts)-1 {
		return invalidParam(fmt.Sprintf("The part at range starting %d is smaller than the part size %d but is not the last part", int64(short)*u.partSize, u.partSize))
	}
	raws := make([][]byte, len(hashes))
	for i, h := range hashes {
		raw, err := translate.DecodeChecksum(translate.SHA256Tree, h)
		if err != nil {
			return translate.Wrap(translate.ErrInternal, err, "a stored part lacks its tree hash")
		}
		raws[i] = raw
	}
	root, err := translate.CombineTreeHashes(raws)
	if err != nil {
		return translate.Wrap(translate.ErrInternal, err, "combining part tree hashes")
	}
	if want, _ := translate.DecodeChecksum(translate.SHA256Tree, tree); subtle.ConstantTimeCompare(root, want) != 1 {
		return invalidParam(fmt.Sprintf("Invalid x-amz-sha256-tree-hash: %s does not match the tree hash of the parts, %s",
			translate.TreeHashHex(tree), translate.TreeHashHex(translate.EncodeChecksum(root))))
	}
	_, err = d.cfg.Engine.CompleteMultipartUpload(ctx, c, translate.CompleteUploadRequest{Bucket: bucket, Key: key,
		UploadID: u.token, Parts: parts, ObjectSize: archiveSize, Checksum: translate.Checksums{translate.SHA256Tree: tree}})
	if translate.CodeOf(err) == translate.ErrNoSuchUpload {
		return d.completed(w, o, archiveSize, tree)
	}
	if err != nil {
		return err
	}
	return writeArchiveCreated(w, o.p, u.archiveID, tree)
}

// completed answers a Complete whose upload is gone: the same archive if
// this upload made it recently with this size and tree hash, else
// ResourceNotFoundException.
func (d *Dialect) completed(w http.ResponseWriter, o *uploadOp, size int64, tree string) error {
	info, err := d.headArchive(o.r, o.bucket, o.u.archiveID)
	if err != nil || info.Size != size || info.Checksum[translate.SHA256Tree] != tree ||
		d.cfg.Now().Sub(info.LastModified) > d.opts.idempotency {
		return uploadNotFound(o.p.id)
	}
	return writeArchiveCreated(w, o.p, o.u.archiveID, tree)
}

// writeArchiveCreated answers a request that stored an archive (an upload
// or a Complete): 201 with Location, x-amz-archive-id and the archive's
// tree hash.
func writeArchiveCreated(w http.ResponseWriter, p path, id, tree string) error {
	h := w.Header()
	h.Set("Location", location(p, "archives", id))
	h.Set("x-amz-archive-id", id)
	h.Set("x-amz-sha256-tree-hash", translate.TreeHashHex(tree))
	w.WriteHeader(http.StatusCreated)
	return nil
}

// abortUpload: DELETE …/multipart-uploads/{id}, 204.
func (d *Dialect) abortUpload(w http.ResponseWriter, o *uploadOp) error {
	err := d.cfg.Engine.AbortMultipartUpload(o.r.HTTP.Context(), o.r.Caller, o.bucket, archiveKey(o.u.archiveID), o.u.token)
	if err != nil {
		return o.gone(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// uploadJSON is UploadListElement.
type uploadJSON struct {
	MultipartUploadId  string
	VaultARN           string
	ArchiveDescription *string
	PartSizeInBytes    int64
	CreationDate       string
}

// listUploads: GET …/multipart-uploads?marker&limit (default 50, at most
// 1000); Marker is the last upload's ID, null on the last page.
func (d *Dialect) listUploads(w http.ResponseWriter, o *vaultOp) error {
	r, bucket := o.r, o.bucket
	limit, err := parseLimit(r, 50, 1000)
	if err != nil {
		return err
	}
	q := translate.UploadsQuery{Prefix: archivesPrefix, MaxUploads: limit}
	if m := r.Query.Get("marker"); m != "" {
		u, err := d.openUploadID(bucket, m)
		if err != nil {
			return invalidParam("Invalid marker: " + m)
		}
		q.KeyAfter, q.IDAfter = archiveKey(u.archiveID), u.token
	}
	page, err := d.cfg.Engine.ListMultipartUploads(r.HTTP.Context(), r.Caller, bucket, q)
	if err != nil {
		return err
	}
	out := struct {
		UploadsList []uploadJSON
		Marker      *string
	}{UploadsList: []uploadJSON{}}
	for i, up := range page.Uploads {
		id := strings.TrimPrefix(up.Key, archivesPrefix)
		size, err := strconv.ParseInt(up.Metadata.User[metaPartSize], 10, 64)
		if !idRE.MatchString(id) || err != nil || !validPartSize(size) {
			continue // not a Glacier upload
		}
		uid := d.sealUpload(bucket, upload{archiveID: id, partSize: size, token: page.IDs[i]})
		e := uploadJSON{MultipartUploadId: uid, VaultARN: d.vaultARN(r, o.p.vault), PartSizeInBytes: size, CreationDate: isoTime(up.Initiated)}
		if desc := up.Metadata.User[metaDesc]; desc != "" {
			e.ArchiveDescription = &desc
		}
		out.UploadsList = append(out.UploadsList, e)
		if page.Truncated && i == len(page.Uploads)-1 {
			out.Marker = &uid
		}
	}
	return writeJSON(w, http.StatusOK, out)
}
