"""boto3 driver for babelgate's end-to-end tests (test/e2e/boto3_test.go).

Each subcommand does one client-side step and prints one JSON object on
stdout; the Go test makes the assertions. Credentials, region and the CA
bundle come from the environment the test sets up (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, AWS_CA_BUNDLE).
"""

import argparse
import hashlib
import json
import sys

import boto3
import botocore
import botocore.auth
import botocore.exceptions
from boto3.s3.transfer import TransferConfig
from botocore.config import Config


# The Authorization scheme of every request sent ("AWS4-HMAC-SHA256",
# "AWS" for SigV2), so the test can tell which signature was used.
auth_schemes = []


def record_auth(request, **kwargs):
    auth = request.headers.get("Authorization", b"")
    if isinstance(auth, bytes):
        auth = auth.decode()
    auth_schemes.append(auth.split(" ", 1)[0])


def client(args):
    cfg = None
    if args.sig:
        cfg = Config(signature_version=args.sig, s3={"addressing_style": "path"})
    c = boto3.session.Session().client("s3", endpoint_url=args.endpoint, config=cfg)
    c.meta.events.register("before-send.s3", record_auth)
    return c


def cmd_versions(args):
    return {"boto3": boto3.__version__, "botocore": botocore.__version__}


def sign_in_past(seconds):
    """Make botocore sign as if its clock stood seconds behind, so a test
    gets an already expired presigned URL without waiting for one to expire.
    The signers (botocore.auth, and botocore.crt.auth when awscrt is
    installed) read the time through get_current_datetime in newer botocore
    and through datetime.datetime.utcnow in older (Debian's 1.29); only
    their view of the clock is shifted."""
    import datetime as real
    import importlib
    import types

    shift = real.timedelta(seconds=seconds)

    class Shifted(real.datetime):
        @classmethod
        def utcnow(cls):
            return real.datetime.utcnow() - shift

    shim = types.ModuleType("datetime")
    shim.__dict__.update(real.__dict__)
    shim.datetime = Shifted
    for name in ("botocore.auth", "botocore.crt.auth"):
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(mod, "get_current_datetime"):
            now = mod.get_current_datetime
            mod.get_current_datetime = lambda *a, now=now, **k: now(*a, **k) - shift
        if hasattr(mod, "datetime"):
            mod.datetime = shim


def cmd_presign(args):
    if args.signed_ago:
        sign_in_past(args.signed_ago)
    op = {"get": "get_object", "put": "put_object"}[args.method]
    url = client(args).generate_presigned_url(
        op, Params={"Bucket": args.bucket, "Key": args.key}, ExpiresIn=args.expires
    )
    return {"url": url}


def cmd_basic(args):
    """put_object, get_object (body to --out), list_objects.

    Each call's failure is reported under "errors" (operation name to
    "Code: message") rather than ending the command, so the test can tell
    which of them the gateway refused.
    """
    c = client(args)
    with open(args.file, "rb") as f:
        data = f.read()
    out = {"errors": {}}

    def step(name, fn):
        try:
            fn()
        except botocore.exceptions.ClientError as e:
            err = e.response.get("Error", {})
            out["errors"][name] = "%s: %s" % (err.get("Code"), err.get("Message"))

    def put():
        out["put_etag"] = c.put_object(Bucket=args.bucket, Key=args.key, Body=data)["ETag"]

    def get():
        get = c.get_object(Bucket=args.bucket, Key=args.key)
        with open(args.out, "wb") as f:
            f.write(get["Body"].read())
        out["get_etag"] = get["ETag"]
        out["get_length"] = get["ContentLength"]

    def lst():
        contents = c.list_objects(Bucket=args.bucket).get("Contents", [])
        out["list_keys"] = [o["Key"] for o in contents]
        out["list_sizes"] = [o["Size"] for o in contents]

    step("put_object", put)
    step("get_object", get)
    step("list_objects", lst)
    return out


def cmd_metadata(args):
    """put_object/get_object/head_object with user metadata and a type."""
    c = client(args)
    with open(args.file, "rb") as f:
        data = f.read()
    put = c.put_object(
        Bucket=args.bucket,
        Key=args.key,
        Body=data,
        ContentType="application/x-boto3-test",
        Metadata={"color": "blue", "Mixed-Case": "Value", "note": "x y  z"},
    )
    get = c.get_object(Bucket=args.bucket, Key=args.key)
    body = get["Body"].read()
    head = c.head_object(Bucket=args.bucket, Key=args.key)
    return {
        "put_etag": put["ETag"],
        "get_md5": hashlib.md5(body).hexdigest(),
        "get_length": len(body),
        "get_metadata": get["Metadata"],
        "get_content_type": get["ContentType"],
        "head_etag": head["ETag"],
        "head_length": head["ContentLength"],
        "head_metadata": head["Metadata"],
        "head_content_type": head["ContentType"],
    }


def cmd_transfer(args):
    """upload_file then download_file with 5 MiB threshold and chunks."""
    c = client(args)
    mib = 1024 * 1024
    tc = TransferConfig(multipart_threshold=5 * mib, multipart_chunksize=5 * mib)
    c.upload_file(args.file, args.bucket, args.key, Config=tc)
    c.download_file(args.bucket, args.key, args.out, Config=tc)
    head = c.head_object(Bucket=args.bucket, Key=args.key)
    return {"head_etag": head["ETag"], "head_length": head["ContentLength"]}


def cmd_attributes(args):
    """A CRC32 multipart upload of --file in 5 MiB parts, then
    get_object_attributes paged two parts at a time."""
    c = client(args)
    with open(args.file, "rb") as f:
        data = f.read()
    mib = 1024 * 1024
    chunks = [data[i:i + 5 * mib] for i in range(0, len(data), 5 * mib)]
    up = c.create_multipart_upload(Bucket=args.bucket, Key=args.key, ChecksumAlgorithm="CRC32")
    parts = []
    for n, chunk in enumerate(chunks, 1):
        r = c.upload_part(Bucket=args.bucket, Key=args.key, UploadId=up["UploadId"], PartNumber=n,
                          Body=chunk, ChecksumAlgorithm="CRC32")
        parts.append({"PartNumber": n, "ETag": r["ETag"], "ChecksumCRC32": r["ChecksumCRC32"]})
    c.complete_multipart_upload(Bucket=args.bucket, Key=args.key, UploadId=up["UploadId"],
                                MultipartUpload={"Parts": parts})
    pages, marker = [], 0
    while True:
        r = c.get_object_attributes(Bucket=args.bucket, Key=args.key, MaxParts=2, PartNumberMarker=marker,
                                    ObjectAttributes=["ETag", "Checksum", "ObjectParts", "ObjectSize", "StorageClass"])
        op = r["ObjectParts"]
        pages.append({
            "etag": r["ETag"], "size": r["ObjectSize"], "class": r["StorageClass"],
            "checksum": r.get("Checksum", {}), "total": op["TotalPartsCount"],
            "truncated": op["IsTruncated"], "next": op.get("NextPartNumberMarker"),
            "parts": [[p["PartNumber"], p["Size"], p.get("ChecksumCRC32")] for p in op.get("Parts", [])],
        })
        if not op["IsTruncated"] or len(pages) > 10:
            break
        marker = op["NextPartNumberMarker"]
    return {"uploaded": [[p["PartNumber"], len(chunks[i]), p["ChecksumCRC32"]] for i, p in enumerate(parts)],
            "pages": pages}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["versions", "presign", "basic", "metadata", "transfer", "attributes"])
    p.add_argument("--endpoint")
    p.add_argument("--sig", help="signature_version, e.g. s3v4 or s3 (SigV2); default: boto3's")
    p.add_argument("--bucket")
    p.add_argument("--key")
    p.add_argument("--method", choices=["get", "put"], default="get")
    p.add_argument("--expires", type=int, default=300)
    p.add_argument("--signed-ago", type=int, default=0)
    p.add_argument("--file")
    p.add_argument("--out")
    args = p.parse_args()
    result = globals()["cmd_" + args.command](args)
    result["auth_schemes"] = sorted(set(auth_schemes))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
