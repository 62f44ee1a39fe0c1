package glacier

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/babelgate/babelgate/dialects"
	"github.com/babelgate/babelgate/translate"
)

// A retrieval job is the object .glacier/jobs/<job id> in the vault's
// bucket: its description as JSON (jobRecord), written at InitiateJob, so
// that jobs survive restarts and are seen by every instance. An inventory
// job's output is computed at InitiateJob and stored beside it as
// .glacier/jobs/<job id>.output; an archive-retrieval job's output is the
// archive itself, read at GetJobOutput. The output's leaf hashes are
// stored beside the job (leaves.go) where that costs no read of its own:
// an inventory is hashed as it is written, and a tree-hash aligned part of
// an archive is read at InitiateJob anyway to report its tree hash. A
// whole-archive job reads nothing at InitiateJob (its tree hash is the
// archive's, stored with it); nor does a job for an unaligned part (it has
// no tree hash). A job is InProgress until its
// creation time plus the delay configured when it was created
// (dialects.glacier.job_delay, default 0: Succeeded at once), then
// Succeeded.

// jobRecord is what a job object holds.
type jobRecord struct {
	JobID, Action, VaultName, Description, Tier, SNSTopic string
	ArchiveID                                             string `json:",omitempty"`
	ArchiveSize                                           int64
	ArchiveTreeHash                                       string `json:",omitempty"`
	RetrievalByteRange                                    string `json:",omitempty"`
	// Start and Length are the output's place in the archive.
	Start, Length int64
	// TreeHash is the output's tree hash, when the range is tree-hash
	// aligned.
	TreeHash      string `json:",omitempty"`
	InventorySize int64  `json:",omitempty"`
	// Leaves reports that the output's leaf hashes are stored (leaves.go):
	// an inventory's and an aligned part of an archive's. Without them an
	// aligned part of the output is read twice, to hash it and to send it.
	Leaves  bool `json:",omitempty"`
	Created time.Time
	Delay   time.Duration
}

func (j *jobRecord) completed(now time.Time) bool { return !now.Before(j.Created.Add(j.Delay)) }

func jobKey(id string) string { return jobsPrefix + id }

// jobParameters is InitiateJob's JSON body (the model's JobParameters).
type jobParameters struct {
	Type, ArchiveID, Description, SNSTopic, RetrievalByteRange, Tier, Format string
	InventoryRetrievalParameters                                             *struct {
		StartDate, EndDate, Limit, Marker string
	}
}

// initiateJob: POST …/jobs, 202 with Location and x-amz-job-id.
func (d *Dialect) initiateJob(w http.ResponseWriter, o *vaultOp) error {
	r, p, bucket := o.r, o.p, o.bucket
	var params jobParameters
	data, err := io.ReadAll(io.LimitReader(r.HTTP.Body, maxHashedBody))
	if err != nil {
		return translate.Wrap(translate.ErrIncompleteBody, err, "reading the job parameters")
	}
	if err := json.Unmarshal(data, &params); err != nil {
		return &apiError{"SerializationException", http.StatusBadRequest, "The job parameters could not be parsed as JSON."}
	}
	if len(params.Description) > 1024 {
		return invalidParam("Invalid job description: it is longer than 1024 characters.")
	}
	switch params.Tier {
	case "", "Standard", "Bulk", "Expedited":
	default:
		return invalidParam("Invalid tier: " + params.Tier)
	}
	if params.Tier == "" {
		params.Tier = "Standard"
	}
	now := d.cfg.Now().UTC()
	job := jobRecord{JobID: newID(), VaultName: p.vault, Description: params.Description, Tier: params.Tier,
		SNSTopic: params.SNSTopic, Created: now, Delay: d.opts.jobDelay}
	switch params.Type {
	case "archive-retrieval":
		if err := d.archiveJob(r, bucket, params, &job); err != nil {
			return err
		}
	case "inventory-retrieval":
		if params.Format != "" && params.Format != "JSON" {
			return invalidParam("Invalid inventory format: " + params.Format + ". Only JSON is supported by this Glacier endpoint.")
		}
		if params.InventoryRetrievalParameters != nil {
			return invalidParam("Inventory retrieval parameters are not supported by this Glacier endpoint.")
		}
		if err := d.inventoryJob(r, bucket, &job); err != nil {
			return err
		}
	case "select":
		return invalidParam("Select jobs are not supported by this Glacier endpoint.")
	case "":
		return missingParam("Required parameter missing: Type")
	default:
		return invalidParam("Invalid job type: " + params.Type)
	}
	if err := d.putJSON(r, bucket, jobKey(job.JobID), job); err != nil {
		d.dropJobFiles(r, bucket, job.JobID)
		return err
	}
	w.Header().Set("Location", location(p, "jobs", job.JobID))
	w.Header().Set("x-amz-job-id", job.JobID)
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// archiveJob fills an archive-retrieval job: the archive must exist; a
// RetrievalByteRange "a-b" must be megabyte aligned (a a multiple of 1 MiB,
// b+1 one too or the archive's end).
func (d *Dialect) archiveJob(r *dialects.Request, bucket string, params jobParameters, job *jobRecord) error {
	if params.ArchiveID == "" {
		return missingParam("Required parameter missing: ArchiveId")
	}
	info, err := d.headArchive(r, bucket, params.ArchiveID)
	if err != nil {
		return err
	}
	job.Action, job.ArchiveID, job.ArchiveSize = "ArchiveRetrieval", params.ArchiveID, info.Size
	job.ArchiveTreeHash = translate.TreeHashHex(info.Checksum[translate.SHA256Tree])
	job.Start, job.Length = 0, info.Size
	if rng := params.RetrievalByteRange; rng != "" {
		a, b, ok := strings.Cut(rng, "-")
		first, err1 := strconv.ParseInt(a, 10, 64)
		last, err2 := strconv.ParseInt(b, 10, 64)
		if !ok || err1 != nil || err2 != nil || first < 0 || last < first || last >= info.Size ||
			first%translate.TreeHashLeaf != 0 || ((last+1)%translate.TreeHashLeaf != 0 && last != info.Size-1) {
			return invalidParam("Invalid RetrievalByteRange: " + rng + ". The range must be megabyte (1024*1024) aligned and within the archive.")
		}
		job.RetrievalByteRange, job.Start, job.Length = rng, first, last-first+1
	} else {
		job.RetrievalByteRange = fmt.Sprintf("0-%d", max(info.Size-1, 0))
	}
	switch {
	case job.Start == 0 && job.Length == info.Size:
		// the whole archive (an empty one too): its stored tree hash, and
		// nothing read until GetJobOutput
		job.TreeHash = job.ArchiveTreeHash
		return nil
	case !treeAligned(job.Start, job.Length, info.Size):
		return nil // no tree hash to send for the output: nothing to read
	}
	// A part of the archive whose tree hash the job reports: its range is
	// read once to hash it, and its leaf hashes are kept from that read.
	obj, err := d.cfg.Engine.GetObject(r.HTTP.Context(), r.Caller, translate.GetRequest{Bucket: bucket, Key: archiveKey(job.ArchiveID),
		Range: fmt.Sprintf("bytes=%d-%d", job.Start, job.Start+job.Length-1)})
	if err != nil {
		return err
	}
	defer obj.Body.Close()
	if job.TreeHash, err = d.storeLeaves(r, bucket, job.JobID, obj.Body, job.Length); err != nil {
		return err
	}
	job.Leaves = true
	return nil
}

// treeAligned reports whether [start, start+length) of an archive of size
// total is tree-hash aligned: its tree hash is a node of the archive's
// tree (a run of 2^n leaves starting on a 2^n-leaf boundary, or the
// archive's tail of such a run).
func treeAligned(start, length, total int64) bool {
	end := start + length
	for span := int64(translate.TreeHashLeaf); span <= 2*total+translate.TreeHashLeaf; span *= 2 {
		if start%span == 0 && end == min(start+span, total) {
			return true
		}
	}
	return false
}

// inventoryJSON is the inventory's output (JSON format).
type inventoryJSON struct {
	VaultARN      string
	InventoryDate string
	ArchiveList   []inventoryEntry
}

type inventoryEntry struct {
	ArchiveId          string
	ArchiveDescription string
	CreationDate       string
	Size               int64
	SHA256TreeHash     string
}

// inventoryJob takes the vault's inventory now and stores it as the job's
// output.
func (d *Dialect) inventoryJob(r *dialects.Request, bucket string, job *jobRecord) error {
	job.Action = "InventoryRetrieval"
	inv := inventoryJSON{VaultARN: d.vaultARN(r, job.VaultName), InventoryDate: isoTime(job.Created), ArchiveList: []inventoryEntry{}}
	err := d.eachObject(r, bucket, archivesPrefix, func(o translate.ObjectInfo) {
		id := strings.TrimPrefix(o.Key, archivesPrefix)
		info, err := d.headArchive(r, bucket, id)
		if err != nil {
			return // gone since the listing, or not an archive
		}
		inv.ArchiveList = append(inv.ArchiveList, inventoryEntry{ArchiveId: id, ArchiveDescription: info.Metadata.User[metaDesc],
			CreationDate: isoTime(info.LastModified), Size: info.Size, SHA256TreeHash: translate.TreeHashHex(info.Checksum[translate.SHA256Tree])})
	})
	if err != nil {
		return err
	}
	data, err := json.Marshal(inv)
	if err != nil {
		return translate.Wrap(translate.ErrInternal, err, "encoding the inventory")
	}
	job.InventorySize, job.Start, job.Length = int64(len(data)), 0, int64(len(data))
	if job.TreeHash, err = d.storeLeaves(r, bucket, job.JobID, bytes.NewReader(data), job.Length); err != nil {
		return err
	}
	job.Leaves = true
	if err := d.putJSON(r, bucket, outputKey(job.JobID), json.RawMessage(data)); err != nil {
		d.dropJobFiles(r, bucket, job.JobID)
		return err
	}
	return nil
}

func outputKey(jobID string) string { return jobKey(jobID) + ".output" }

// dropJobFiles removes what a job that failed to be recorded stored
// beside it (its leaves, an inventory's output), so that a failed
// InitiateJob leaves nothing behind; it runs even if the request was
// cancelled, and a failure is left for the vault's deletion to sweep.
func (d *Dialect) dropJobFiles(r *dialects.Request, bucket, jobID string) {
	ctx := context.WithoutCancel(r.HTTP.Context())
	_, _ = d.cfg.Engine.DeleteObjects(ctx, r.Caller, bucket, []string{leavesKey(jobID), outputKey(jobID)})
}

// jobJSON is GlacierJobDescription.
type jobJSON struct {
	JobId                        string
	JobDescription               *string
	Action                       string
	ArchiveId                    *string
	VaultARN                     string
	CreationDate                 string
	Completed                    bool
	StatusCode                   string
	StatusMessage                *string
	ArchiveSizeInBytes           *int64
	InventorySizeInBytes         *int64
	SNSTopic                     *string
	CompletionDate               *string
	SHA256TreeHash               *string
	ArchiveSHA256TreeHash        *string
	RetrievalByteRange           *string
	Tier                         string
	InventoryRetrievalParameters *struct{ Format string }
}

func strp(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (d *Dialect) jobJSON(r *dialects.Request, j *jobRecord) jobJSON {
	out := jobJSON{JobId: j.JobID, JobDescription: strp(j.Description), Action: j.Action, VaultARN: d.vaultARN(r, j.VaultName),
		CreationDate: isoTime(j.Created), StatusCode: "InProgress", SNSTopic: strp(j.SNSTopic), Tier: j.Tier}
	if j.completed(d.cfg.Now()) {
		out.Completed, out.StatusCode = true, "Succeeded"
		out.StatusMessage = strp("Succeeded")
		out.CompletionDate = strp(isoTime(j.Created.Add(j.Delay)))
		out.SHA256TreeHash = strp(j.TreeHash)
	}
	if j.Action == "ArchiveRetrieval" {
		out.ArchiveId, out.ArchiveSHA256TreeHash, out.RetrievalByteRange = strp(j.ArchiveID), strp(j.ArchiveTreeHash), strp(j.RetrievalByteRange)
		size := j.ArchiveSize
		out.ArchiveSizeInBytes = &size
	} else {
		size := j.InventorySize
		out.InventorySizeInBytes = &size
		out.InventoryRetrievalParameters = &struct{ Format string }{"JSON"}
	}
	return out
}

func (d *Dialect) readJob(r *dialects.Request, bucket, id string) (*jobRecord, error) {
	if !idRE.MatchString(id) {
		return nil, notFound("The job ID was not found: " + id)
	}
	var j jobRecord
	if err := d.getJSON(r, bucket, jobKey(id), 1<<20, &j); err != nil {
		if translate.CodeOf(err) == translate.ErrNoSuchKey {
			return nil, notFound("The job ID was not found: " + id)
		}
		return nil, err
	}
	return &j, nil
}

// describeJob: GET …/jobs/{id}.
func (d *Dialect) describeJob(w http.ResponseWriter, o *jobOp) error {
	return writeJSON(w, http.StatusOK, d.jobJSON(o.r, o.j))
}

// listJobs: GET …/jobs?marker&limit&statuscode&completed (default and most
// 50 per page), oldest first; Marker is the last job's id.
func (d *Dialect) listJobs(w http.ResponseWriter, o *vaultOp) error {
	r, bucket := o.r, o.bucket
	limit, err := parseLimit(r, 50, 50)
	if err != nil {
		return err
	}
	status := r.Query.Get("statuscode")
	switch status {
	case "", "InProgress", "Succeeded", "Failed":
	default:
		return invalidParam("Invalid statuscode: " + status)
	}
	completed := r.Query.Get("completed")
	if completed != "" && completed != "true" && completed != "false" {
		return invalidParam("Invalid completed: " + completed)
	}
	var jobs []*jobRecord
	err = d.eachObject(r, bucket, jobsPrefix, func(o translate.ObjectInfo) {
		id := strings.TrimPrefix(o.Key, jobsPrefix)
		if !idRE.MatchString(id) {
			return // a job's output or leaves
		}
		j, err := d.readJob(r, bucket, id)
		if err != nil {
			return // removed since the listing
		}
		jobs = append(jobs, j)
	})
	if err != nil {
		return err
	}
	sort.Slice(jobs, func(i, k int) bool {
		if !jobs[i].Created.Equal(jobs[k].Created) {
			return jobs[i].Created.Before(jobs[k].Created)
		}
		return jobs[i].JobID < jobs[k].JobID
	})
	out := struct {
		JobList []jobJSON
		Marker  *string
	}{JobList: []jobJSON{}}
	marker := r.Query.Get("marker")
	started := marker == ""
	for _, j := range jobs {
		if !started {
			started = j.JobID == marker
			continue
		}
		js := d.jobJSON(r, j)
		if (status != "" && js.StatusCode != status) || (completed != "" && strconv.FormatBool(js.Completed) != completed) {
			continue
		}
		if len(out.JobList) == limit {
			last := out.JobList[len(out.JobList)-1].JobId
			out.Marker = &last
			break
		}
		out.JobList = append(out.JobList, js)
	}
	if !started {
		return invalidParam("Invalid marker: " + marker)
	}
	return writeJSON(w, http.StatusOK, out)
}

// getJobOutput: GET …/jobs/{id}/output, with an optional Range relative to
// the output. 200 for the whole output, 206 for a range; the tree hash is
// sent when the range is tree-hash aligned: for the whole output it is
// the job's; for a part of it, it is combined from the job's stored leaf
// hashes (leaves.go) when it has them, and otherwise computed by reading
// the range once before it is sent. The range is sent streaming.
func (d *Dialect) getJobOutput(w http.ResponseWriter, o *jobOp) error {
	r, bucket, j := o.r, o.bucket, o.j
	if !j.completed(d.cfg.Now()) {
		return invalidParam("The job is not currently available for download: " + j.JobID)
	}
	key, contentType := archiveKey(j.ArchiveID), "application/octet-stream"
	var desc string
	if j.Action == "InventoryRetrieval" {
		key, contentType = outputKey(j.JobID), "application/json"
	} else {
		info, err := d.headArchive(r, bucket, j.ArchiveID)
		if err != nil {
			return err
		}
		desc = info.Metadata.User[metaDesc]
	}
	start, length, partial, err := outputRange(r.HTTP.Header.Get("Range"), j.Length)
	if err != nil {
		return err
	}
	tree := ""
	switch {
	case !partial:
		tree = j.TreeHash
	case !(j.Action == "ArchiveRetrieval" && treeAligned(j.Start+start, length, j.ArchiveSize) ||
		j.Action == "InventoryRetrieval" && treeAligned(start, length, j.Length)):
		// no tree hash for a range that is not a node of the tree
	case j.Leaves:
		tree, err = d.rangeTreeHash(r, bucket, j, start, length)
	default:
		tree, err = d.readTreeHash(r, bucket, key, j.Start+start, length)
	}
	if err != nil {
		return err
	}
	req := translate.GetRequest{Bucket: bucket, Key: key}
	if length > 0 {
		req.Range = fmt.Sprintf("bytes=%d-%d", j.Start+start, j.Start+start+length-1)
	}
	obj, err := d.cfg.Engine.GetObject(r.HTTP.Context(), r.Caller, req)
	if err != nil {
		return err
	}
	defer obj.Body.Close()
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	if desc != "" {
		h.Set("x-amz-archive-description", desc)
	}
	if tree != "" {
		h.Set("x-amz-sha256-tree-hash", tree)
	}
	status := http.StatusOK
	if partial {
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, start+length-1, j.Length))
	}
	w.WriteHeader(status)
	_, err = io.CopyN(w, obj.Body, length)
	return err
}

// readTreeHash reads bytes [start, start+length) of an object once and
// returns their tree hash (hex): an aligned part of an output whose job
// has no stored leaf hashes.
func (d *Dialect) readTreeHash(r *dialects.Request, bucket, key string, start, length int64) (string, error) {
	obj, err := d.cfg.Engine.GetObject(r.HTTP.Context(), r.Caller, translate.GetRequest{Bucket: bucket, Key: key,
		Range: fmt.Sprintf("bytes=%d-%d", start, start+length-1)})
	if err != nil {
		return "", err
	}
	defer obj.Body.Close()
	h := translate.NewTreeHash()
	if _, err := io.CopyN(h, obj.Body, length); err != nil {
		return "", translate.Wrap(translate.ErrInternal, err, "reading the range to hash it")
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// outputRange parses GetJobOutput's Range "bytes=a-b" ("bytes=a-" and
// "bytes=-n" too) against an output of size total.
func outputRange(h string, total int64) (start, length int64, partial bool, err error) {
	if h == "" {
		return 0, total, false, nil
	}
	bad := invalidParam("Invalid Range: " + h)
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, 0, false, bad
	}
	a, b, ok := strings.Cut(spec, "-")
	if !ok {
		return 0, 0, false, bad
	}
	switch {
	case a == "":
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return 0, 0, false, bad
		}
		n = min(n, total)
		return total - n, n, true, nil
	default:
		first, err := strconv.ParseInt(a, 10, 64)
		if err != nil || first < 0 || first >= total {
			return 0, 0, false, bad
		}
		last := total - 1
		if b != "" {
			if last, err = strconv.ParseInt(b, 10, 64); err != nil || last < first {
				return 0, 0, false, bad
			}
			last = min(last, total-1)
		}
		return first, last - first + 1, true, nil
	}
}
