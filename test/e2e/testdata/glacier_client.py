#!/usr/bin/python3
"""Drives babelgate with boto3's glacier client (Debian's python3-boto3).

Each subcommand runs against --endpoint with the credentials in the
environment, checks what Glacier promises with assertions (a failed check
exits non-zero with the reason), and prints a JSON summary for the Go test
(test/e2e/glacier_test.go) to check further.
"""
import argparse
import hashlib
import io
import json
import random
import sys

import boto3
import botocore
from botocore.config import Config
from botocore.utils import calculate_tree_hash

MiB = 1 << 20


def client(endpoint):
    return boto3.client("glacier", endpoint_url=endpoint, region_name="us-east-1",
                        config=Config(retries={"max_attempts": 0}))


def tree(data):
    return calculate_tree_hash(io.BytesIO(data))


def check(cond, what):
    if not cond:
        raise SystemExit("check failed: " + what)


def error_of(fn, **kw):
    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise SystemExit("call %s succeeded, want an error" % fn.__name__)


def multipart(c, vault, data, part_size, desc, rng):
    """Uploads data in parts of part_size, out of order, re-uploading one
    part (first with other bytes), and completes; returns the archive id."""
    up = c.initiate_multipart_upload(vaultName=vault, partSize=str(part_size), archiveDescription=desc)
    check(up["ResponseMetadata"]["HTTPStatusCode"] == 201, "initiate: 201")
    uid = up["uploadId"]
    starts = list(range(0, len(data), part_size))
    order = starts[:]
    rng.shuffle(order)
    redo = order[len(order) // 2]
    wrong = bytes(b ^ 0xFF for b in data[redo:redo + part_size])
    r = c.upload_multipart_part(vaultName=vault, uploadId=uid, range="bytes %d-%d/*" % (redo, redo + len(wrong) - 1), body=wrong)
    check(r["checksum"] == tree(wrong), "part tree hash echoed")
    for s in order:
        chunk = data[s:s + part_size]
        r = c.upload_multipart_part(vaultName=vault, uploadId=uid, range="bytes %d-%d/*" % (s, s + len(chunk) - 1), body=chunk)
        check(r["ResponseMetadata"]["HTTPStatusCode"] == 204, "upload part: 204")
        check(r["checksum"] == tree(chunk), "part %d tree hash" % s)
    # ListParts, paged by 7: every range and its tree hash.
    parts, marker, pages = [], None, 0
    while True:
        kw = {"vaultName": vault, "uploadId": uid, "limit": "7"}
        if marker:
            kw["marker"] = marker
        page = c.list_parts(**kw)
        pages += 1
        check(len(page["Parts"]) <= 7, "a page holds at most limit parts")
        check(page["PartSizeInBytes"] == part_size and page["ArchiveDescription"] == desc, "list parts: upload fields")
        parts += page["Parts"]
        marker = page.get("Marker")
        if not marker:
            break
    check(pages == (len(starts) + 6) // 7, "list parts: %d pages" % pages)
    for p, s in zip(parts, starts):
        chunk = data[s:s + part_size]
        check(p["RangeInBytes"] == "%d-%d" % (s, s + len(chunk) - 1), "range of part at %d: %s" % (s, p["RangeInBytes"]))
        check(p["SHA256TreeHash"] == tree(chunk), "listed tree hash of part at %d" % s)
    done = c.complete_multipart_upload(vaultName=vault, uploadId=uid, archiveSize=str(len(data)), checksum=tree(data))
    check(done["ResponseMetadata"]["HTTPStatusCode"] == 201, "complete: 201")
    check(done["checksum"] == tree(data), "complete: tree hash")
    again = c.complete_multipart_upload(vaultName=vault, uploadId=uid, archiveSize=str(len(data)), checksum=tree(data))
    check(again["archiveId"] == done["archiveId"], "a repeated complete returns the same archive id")
    check(error_of(c.list_parts, vaultName=vault, uploadId=uid) == ("ResourceNotFoundException", 404), "no list parts after complete")
    return done["archiveId"]


def retrieve(c, vault, archive_id, params=None):
    jp = {"Type": "archive-retrieval", "ArchiveId": archive_id}
    jp.update(params or {})
    j = c.initiate_job(vaultName=vault, jobParameters=jp)
    check(j["ResponseMetadata"]["HTTPStatusCode"] == 202, "initiate job: 202")
    return j["jobId"]


def lifecycle(args):
    c = client(args.endpoint)
    v = args.vault
    rng = random.Random(9)
    out = {}
    check(c.create_vault(vaultName=v)["location"] == "/-/vaults/" + v, "create vault: Location")
    c.create_vault(vaultName=v + "-b")
    d = c.describe_vault(vaultName=v)
    check(d["VaultName"] == v and d["NumberOfArchives"] == 0 and d["VaultARN"].endswith(":vaults/" + v), "describe vault")
    page1 = c.list_vaults(limit="1")
    check(len(page1["VaultList"]) == 1 and page1.get("Marker"), "list vaults: first page of one with a marker")
    page2 = c.list_vaults(limit="1", marker=page1["Marker"])
    names = [x["VaultName"] for x in page1["VaultList"] + page2["VaultList"]]
    check(v in names and v + "-b" in names, "list vaults pages: %s" % names)

    small = rng.randbytes(3 * MiB + 5)
    r = c.upload_archive(vaultName=v, archiveDescription="small archive", body=small)
    check(r["ResponseMetadata"]["HTTPStatusCode"] == 201 and r["checksum"] == tree(small), "upload archive: 201 and tree hash")
    check(r["location"] == "/-/vaults/%s/archives/%s" % (v, r["archiveId"]), "upload archive: Location")
    out["small"] = {"id": r["archiveId"], "sha256": hashlib.sha256(small).hexdigest(), "size": len(small), "tree": tree(small)}

    data1 = rng.randbytes(40 * MiB)
    a1 = multipart(c, v, data1, MiB, "forty in ones", rng)
    out["mp1"] = {"id": a1, "sha256": hashlib.sha256(data1).hexdigest(), "size": len(data1), "tree": tree(data1)}
    data8 = rng.randbytes(40 * MiB + 12345)
    a8 = multipart(c, v, data8, 8 * MiB, "forty in eights", rng)
    out["mp8"] = {"id": a8, "sha256": hashlib.sha256(data8).hexdigest(), "size": len(data8), "tree": tree(data8)}

    # An in-progress upload is listed until aborted.
    up = c.initiate_multipart_upload(vaultName=v, partSize=str(2 * MiB), archiveDescription="aborted")
    ups = c.list_multipart_uploads(vaultName=v)["UploadsList"]
    check([u["MultipartUploadId"] for u in ups] == [up["uploadId"]] and ups[0]["PartSizeInBytes"] == 2 * MiB, "list uploads")
    check(c.abort_multipart_upload(vaultName=v, uploadId=up["uploadId"])["ResponseMetadata"]["HTTPStatusCode"] == 204, "abort: 204")
    check(c.list_multipart_uploads(vaultName=v)["UploadsList"] == [], "no uploads after abort")

    # Retrieval: whole, a tree-hash aligned range, an unaligned range, and a
    # job over a RetrievalByteRange.
    jid = retrieve(c, v, a8, {"Description": "whole"})
    job = c.describe_job(vaultName=v, jobId=jid)
    check(job["Completed"] and job["StatusCode"] == "Succeeded", "job completes at once by default")
    check(job["SHA256TreeHash"] == tree(data8) and job["ArchiveSHA256TreeHash"] == tree(data8), "job tree hashes")
    check(job["ArchiveSizeInBytes"] == len(data8) and job["JobDescription"] == "whole", "job fields")
    o = c.get_job_output(vaultName=v, jobId=jid)
    body = o["body"].read()
    check(o["status"] == 200 and body == data8 and o["checksum"] == tree(data8), "job output: whole, byte for byte and by tree hash")
    check(o["archiveDescription"] == "forty in eights", "job output: description")
    o = c.get_job_output(vaultName=v, jobId=jid, range="bytes=%d-%d" % (8 * MiB, 16 * MiB - 1))
    body = o["body"].read()
    check(o["status"] == 206 and body == data8[8 * MiB:16 * MiB], "job output: aligned range bytes")
    check(o["checksum"] == tree(data8[8 * MiB:16 * MiB]), "job output: aligned range tree hash")
    check(o["contentRange"] == "bytes %d-%d/%d" % (8 * MiB, 16 * MiB - 1, len(data8)), "job output: Content-Range")
    o = c.get_job_output(vaultName=v, jobId=jid, range="bytes=%d-%d" % (MiB, 3 * MiB - 1))
    check(o["body"].read() == data8[MiB:3 * MiB] and not o.get("checksum"), "job output: unaligned range has no tree hash")
    rid = retrieve(c, v, a1, {"RetrievalByteRange": "%d-%d" % (4 * MiB, 8 * MiB - 1)})
    job = c.describe_job(vaultName=v, jobId=rid)
    check(job["RetrievalByteRange"] == "%d-%d" % (4 * MiB, 8 * MiB - 1) and job["SHA256TreeHash"] == tree(data1[4 * MiB:8 * MiB]), "ranged job")
    o = c.get_job_output(vaultName=v, jobId=rid)
    check(o["body"].read() == data1[4 * MiB:8 * MiB] and o["checksum"] == tree(data1[4 * MiB:8 * MiB]), "ranged job output")
    check(error_of(c.initiate_job, vaultName=v, jobParameters={"Type": "archive-retrieval", "ArchiveId": a1,
                                                                 "RetrievalByteRange": "1-1048576"}) == ("InvalidParameterValueException", 400),
          "an unaligned RetrievalByteRange")

    # Inventory.
    iid = c.initiate_job(vaultName=v, jobParameters={"Type": "inventory-retrieval"})["jobId"]
    inv = json.loads(c.get_job_output(vaultName=v, jobId=iid)["body"].read())
    got = {a["ArchiveId"]: (a["Size"], a["SHA256TreeHash"], a["ArchiveDescription"]) for a in inv["ArchiveList"]}
    want = {out[k]["id"]: (out[k]["size"], out[k]["tree"], desc) for k, desc in
            (("small", "small archive"), ("mp1", "forty in ones"), ("mp8", "forty in eights"))}
    check(got == want, "inventory: %s" % got)
    jobs = c.list_jobs(vaultName=v)["JobList"]
    check(sorted(j["JobId"] for j in jobs) == sorted([jid, rid, iid]), "list jobs")
    check(len(c.list_jobs(vaultName=v, limit="2")["JobList"]) == 2, "list jobs: limit")
    check(c.describe_vault(vaultName=v)["NumberOfArchives"] == 3, "describe vault counts archives")
    check(error_of(c.delete_vault, vaultName=v) == ("InvalidParameterValueException", 400), "a vault with archives is not deleted")
    print(json.dumps(out))


def cleanup(args):
    c = client(args.endpoint)
    v = args.vault
    for a in args.archive:
        check(c.delete_archive(vaultName=v, archiveId=a)["ResponseMetadata"]["HTTPStatusCode"] == 204, "delete archive: 204")
        check(error_of(c.delete_archive, vaultName=v, archiveId=a) == ("ResourceNotFoundException", 404), "deleted twice")
    check(c.delete_vault(vaultName=v)["ResponseMetadata"]["HTTPStatusCode"] == 204, "delete vault: 204")
    c.delete_vault(vaultName=v + "-b")
    check(error_of(c.describe_vault, vaultName=v) == ("ResourceNotFoundException", 404), "no vault after delete")
    print(json.dumps({"vaults": [x["VaultName"] for x in c.list_vaults()["VaultList"]]}))


def pending(args):
    """With a job delay: the job is InProgress, its output refused, and it
    is listed under statuscode=InProgress."""
    c = client(args.endpoint)
    v = args.vault
    if args.create:
        c.create_vault(vaultName=v)
        aid = c.upload_archive(vaultName=v, body=b"pending data")["archiveId"]
        jid = retrieve(c, v, aid)
    else:
        jid = args.job
    job = c.describe_job(vaultName=v, jobId=jid)
    check(not job["Completed"] and job["StatusCode"] == "InProgress" and "CompletionDate" not in job, "job in progress")
    check(error_of(c.get_job_output, vaultName=v, jobId=jid) == ("InvalidParameterValueException", 400), "no output yet")
    check([j["JobId"] for j in c.list_jobs(vaultName=v, statuscode="InProgress")["JobList"]] == [jid], "listed as InProgress")
    check(c.list_jobs(vaultName=v, completed="true")["JobList"] == [], "none completed")
    print(json.dumps({"job": jid}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--vault", required=True)
    p.add_argument("--archive", action="append", default=[])
    p.add_argument("--job", default="")
    p.add_argument("--create", action="store_true")
    args = p.parse_args()
    {"lifecycle": lifecycle, "cleanup": cleanup, "pending": pending}[args.command](args)


if __name__ == "__main__":
    main()
