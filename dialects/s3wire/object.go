package s3wire

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// writeReadHeaders sets the response headers of GET and HEAD object and
// returns the status: 206 with Content-Range for a range (or a part of a
// multipart object), else 200. Checksums are sent only when
// <Prefix>checksum-mode is ENABLED: the whole object's (for no range, or
// one covering it all), or by part number the part's (writePartChecksums).
func (h *Handlers) writeReadHeaders(w http.ResponseWriter, r *dialects.Request, req translate.GetRequest, info translate.ObjectInfo, rng *translate.Range) int {
	hd := w.Header()
	mode := strings.EqualFold(r.HTTP.Header.Get(h.Prefix+"checksum-mode"), "ENABLED")
	// A Range that covers the whole object still gets the checksums (as
	// OpenStack Swift's s3api tests record S3 doing); any other range none.
	whole := rng == nil || (req.PartNumber == 0 && rng.Start == 0 && rng.Length == info.Size)
	h.WriteObjectHeaders(hd, info, mode && req.PartNumber == 0 && whole)
	if mode && req.PartNumber > 0 {
		h.writePartChecksums(hd, info, req.PartNumber)
	}
	if req.PartNumber > 0 && len(info.PartSizes) > 0 {
		hd.Set(h.Prefix+"mp-parts-count", strconv.Itoa(len(info.PartSizes)))
	}
	SetResponseOverrides(hd, r)
	status := http.StatusOK
	length := info.Size
	if rng != nil && (req.PartNumber == 0 || len(info.PartSizes) > 0 || req.Range != "") {
		status = http.StatusPartialContent
		length = rng.Length
		hd.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", rng.Start, rng.Start+rng.Length-1, info.Size))
	}
	hd.Set("Content-Length", strconv.FormatInt(length, 10))
	return status
}

// GetObject streams the object (or its range or part).
func (h *Handlers) GetObject(w http.ResponseWriter, r *dialects.Request) error {
	req, err := ReadRequest(r)
	if err != nil {
		return err
	}
	obj, err := h.Engine.GetObject(r.HTTP.Context(), r.Caller, req)
	if isConditionFailure(err) {
		// The engine's GetObject does not return the object it judged;
		// HeadObject does, with the same verdict.
		if info, _, herr := h.Engine.HeadObject(r.HTTP.Context(), r.Caller, req); isConditionFailure(herr) {
			setValidators(w, info)
		}
	}
	if err != nil {
		return err
	}
	defer obj.Body.Close()
	w.WriteHeader(h.writeReadHeaders(w, r, req, obj.Info, obj.Range))
	if _, err := io.Copy(w, obj.Body); err != nil {
		return translate.Wrap(translate.ErrInternal, err, "streaming object")
	}
	return nil
}

// HeadObject answers with GetObject's headers and no body.
func (h *Handlers) HeadObject(w http.ResponseWriter, r *dialects.Request) error {
	req, err := ReadRequest(r)
	if err != nil {
		return err
	}
	info, rng, err := h.Engine.HeadObject(r.HTTP.Context(), r.Caller, req)
	if isConditionFailure(err) {
		setValidators(w, info)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(h.writeReadHeaders(w, r, req, info, rng))
	return nil
}

// isConditionFailure reports whether err is a read's failed precondition:
// 304 Not Modified or 412 Precondition Failed.
func isConditionFailure(err error) bool {
	c := translate.CodeOf(err)
	return c == translate.ErrNotModified || c == translate.ErrPreconditionFailed
}

// setValidators puts the object's ETag and Last-Modified on a 304 or 412
// answer to a conditional GET or HEAD, as S3 does (and RFC 9110 §15.4.5
// asks of a 304), so a cache can revalidate. [ErrorForm.Encode] keeps them
// for those two statuses.
func setValidators(w http.ResponseWriter, info translate.ObjectInfo) {
	if info.ETag == "" {
		return
	}
	w.Header().Set("ETag", Quote(info.ETag))
	w.Header().Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
}

// DeleteObject deletes the object: 204.
func (h *Handlers) DeleteObject(w http.ResponseWriter, r *dialects.Request) error {
	if err := h.Engine.DeleteObject(r.HTTP.Context(), r.Caller, r.Bucket, r.Key); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// CopyObject copies <Prefix>copy-source to the addressed key, with its
// source conditions; <Prefix>metadata-directive REPLACE takes the
// request's metadata instead of the source's. The source's website
// redirect location is not copied (S3's rule); the request's is used.
func (h *Handlers) CopyObject(w http.ResponseWriter, r *dialects.Request) error {
	sb, sk, err := CopySource(r.HTTP.Header.Get(h.Prefix + "copy-source"))
	if err != nil {
		return err
	}
	cond, err := h.WriteCond(r.HTTP.Header)
	if err != nil {
		return err
	}
	req := translate.CopyRequest{SrcBucket: sb, SrcKey: sk, Bucket: r.Bucket, Key: r.Key,
		SrcConditions: Conditions(r.HTTP.Header, h.Prefix+"copy-source-"), Cond: cond}
	switch dir := r.HTTP.Header.Get(h.Prefix + "metadata-directive"); dir {
	case "", "COPY":
		if req.WebsiteRedirectLocation, err = RedirectLocation(r.HTTP.Header, h.Prefix+"website-redirect-location"); err != nil {
			return err
		}
	case "REPLACE":
		req.ReplaceMetadata = true
		if req.Metadata, err = h.DecodeMetadata(r.HTTP.Header); err != nil {
			return err
		}
	default:
		return &translate.Error{Code: translate.ErrInvalidArgument, ArgName: h.Prefix + "metadata-directive", ArgValue: dir,
			Message: "Unknown metadata directive."}
	}
	if v := r.HTTP.Header.Get(h.Prefix + "checksum-algorithm"); v != "" && len(h.ChecksumAlgorithms) > 0 {
		a, ok := translate.ParseChecksumAlgorithm(v)
		if !ok {
			return &translate.Error{Code: translate.ErrInvalidRequest, Message: "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5, XXHASH64, XXHASH3, XXHASH128]"}
		}
		req.ChecksumAlgorithm = a
	}
	info, err := h.Engine.CopyObject(r.HTTP.Context(), r.Caller, req)
	if err != nil {
		return err
	}
	return WriteXML(w, http.StatusOK, CopyObjectResult{Xmlns: h.Xmlns, LastModified: Time(info.LastModified),
		ETag: Quote(info.ETag), ChecksumFields: ChecksumXML(h.Checksums(info.Checksum))})
}

// PutObject stores an object under the request's write conditions and
// answers with its ETag, the checksums the profile reports (of type
// FULL_OBJECT), its SSE and, with ReportStorageClass, a storage class
// other than the default.
func (h *Handlers) PutObject(w http.ResponseWriter, r *dialects.Request) error {
	meta, err := h.DecodeMetadata(r.HTTP.Header)
	if err != nil {
		return err
	}
	cond, err := h.WriteCond(r.HTTP.Header)
	if err != nil {
		return err
	}
	in, err := h.Body(r)
	if err != nil {
		return err
	}
	info, err := h.Engine.PutObject(r.HTTP.Context(), r.Caller, translate.PutRequest{Bucket: r.Bucket, Key: r.Key, Metadata: meta, Body: in, Cond: cond})
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("ETag", Quote(info.ETag))
	h.WriteChecksumHeaders(hd, info.Checksum)
	if len(h.Checksums(info.Checksum)) > 0 {
		hd.Set(h.Prefix+"checksum-type", string(translate.ChecksumFullObject))
	}
	if sse := h.SSEValue(meta.SSE); sse != "" {
		hd.Set(h.Prefix+"server-side-encryption", sse)
	}
	if h.ReportStorageClass && meta.StorageClass != "" {
		hd.Set(h.Prefix+"storage-class", h.storageClassName(meta.StorageClass))
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
