"""boto3 driver for babelgate's conditional-write test (condwrite_test.go).

Debian's botocore (1.29) predates the IfNoneMatch/IfMatch parameters of
put_object and complete_multipart_upload (botocore 1.35), so the headers
are added the way applications on such a botocore send headers it does not
model: a handler on botocore's "before-sign" event, so they are signed.
Prints one JSON object; the Go test makes the assertions. Credentials,
region and CA bundle come from the environment.
"""

import json
import sys

import boto3
import botocore.exceptions


def outcome(fn):
    """Runs fn; returns {"ok": result} or {"code", "status", "message"}."""
    try:
        return {"ok": fn()}
    except botocore.exceptions.ClientError as e:
        return {
            "code": e.response["Error"].get("Code", ""),
            "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
            "message": e.response["Error"].get("Message", ""),
        }


def with_headers(c, op, headers, fn):
    """Runs fn with headers added to every request of operation op."""

    def add(request, **kwargs):
        for k, v in headers.items():
            request.headers[k] = v

    uid = "babelgate-cond-" + op
    c.meta.events.register("before-sign.s3." + op, add, unique_id=uid)
    try:
        return outcome(fn)
    finally:
        c.meta.events.unregister("before-sign.s3." + op, unique_id=uid)


def main():
    endpoint, bucket = sys.argv[1], sys.argv[2]
    c = boto3.session.Session().client("s3", endpoint_url=endpoint)
    c.create_bucket(Bucket=bucket)
    put = lambda body: lambda: c.put_object(Bucket=bucket, Key="k", Body=body)["ETag"]
    out = {}
    out["put_new"] = with_headers(c, "PutObject", {"If-None-Match": "*"}, put(b"first"))
    out["put_exists"] = with_headers(c, "PutObject", {"If-None-Match": "*"}, put(b"second"))
    out["put_wrong_etag"] = with_headers(c, "PutObject", {"If-Match": '"d41d8cd98f00b204e9800998ecf8427e"'}, put(b"second"))
    out["put_right_etag"] = with_headers(c, "PutObject", {"If-Match": out["put_new"].get("ok", "")}, put(b"third"))

    up = c.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    etag = c.upload_part(Bucket=bucket, Key="k", UploadId=up, PartNumber=1, Body=b"part")["ETag"]
    complete = lambda: c.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=up,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})["ETag"]
    out["complete_exists"] = with_headers(c, "CompleteMultipartUpload", {"If-None-Match": "*"}, complete)
    out["complete"] = outcome(complete)
    out["complete_again"] = outcome(complete)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
