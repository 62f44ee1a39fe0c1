"""boto3 driver for babelgate's issue-10 fidelity checks (test/e2e/boto3_fidelity_test.go).

One command, "fidelity", runs the steps below against one bucket that the
Go test created, each step's outcome under its own name, and prints one
JSON object; the Go test makes the assertions. Credentials and the CA
bundle come from the environment (AWS_ACCESS_KEY_ID, ...).
"""

import argparse
import json
import sys
import urllib.parse

import boto3
import botocore.exceptions
from botocore.config import Config


def client(endpoint, region):
    cfg = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    c = boto3.session.Session().client("s3", endpoint_url=endpoint, region_name=region, config=cfg)
    return c


def error_of(e):
    err = e.response.get("Error", {})
    return {
        "code": err.get("Code"),
        "message": err.get("Message"),
        "status": e.response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["fidelity"])
    p.add_argument("--endpoint")
    p.add_argument("--bucket")
    p.add_argument("--keys", help="JSON list of odd keys to store")
    args = p.parse_args()
    keys = json.loads(args.keys)
    c = client(args.endpoint, "us-east-1")
    out = {}

    for k in keys:
        c.put_object(Bucket=args.bucket, Key=k, Body=b"x")
        c.create_multipart_upload(Bucket=args.bucket, Key=k)

    # list_objects and list_objects_v2: botocore asks for
    # encoding-type=url by itself and decodes with unquote_plus
    # (handlers.py decode_list_object).
    out["list_objects"] = [o["Key"] for o in c.list_objects(Bucket=args.bucket).get("Contents", [])]
    out["list_objects_v2"] = [o["Key"] for o in c.list_objects_v2(Bucket=args.bucket).get("Contents", [])]

    # list_multipart_uploads with a delimiter, one entry a page, through
    # botocore's paginator (which stops with an error on a repeated token).
    # A key with a control character has no XML 1.0 form without
    # encoding-type=url, and botocore neither asks for nor decodes that
    # encoding for this operation (its paginator would send an encoded
    # NextKeyMarker back as is), so that key is listed separately below.
    entries = []
    pages = c.get_paginator("list_multipart_uploads").paginate(
        Bucket=args.bucket, Delimiter="/", PaginationConfig={"PageSize": 1, "MaxItems": 50}
    )
    for page in pages:
        entries += [u["Key"] for u in page.get("Uploads", []) if not u["Key"].startswith("ctl")]
        entries += [cp["Prefix"] for cp in page.get("CommonPrefixes", [])]
    out["uploads_paged"] = entries
    page = c.list_multipart_uploads(Bucket=args.bucket, Delimiter="/", EncodingType="url")
    out["uploads_url"] = [urllib.parse.unquote_plus(u["Key"]) for u in page.get("Uploads", [])] + [
        urllib.parse.unquote_plus(cp["Prefix"]) for cp in page.get("CommonPrefixes", [])
    ]

    # Headers babelgate does not implement are refused.
    try:
        c.put_object(Bucket=args.bucket, Key="tagged", Body=b"x", Tagging="a=b")
        out["tagging"] = {"code": None}
    except botocore.exceptions.ClientError as e:
        out["tagging"] = error_of(e)

    # x-amz-website-redirect-location is kept.
    c.put_object(Bucket=args.bucket, Key="redirect", Body=b"x", WebsiteRedirectLocation="/to.html")
    out["redirect"] = c.head_object(Bucket=args.bucket, Key="redirect").get("WebsiteRedirectLocation")

    # Signed for another region: an operation without a bucket fails with
    # S3's message; one on a bucket is re-signed by botocore's
    # S3RegionRedirector with the <Region> of the error (utils.py
    # redirect_from_error) and succeeds.
    scopes = []

    def record(request, **kwargs):
        auth = request.headers.get("Authorization", b"")
        if isinstance(auth, bytes):
            auth = auth.decode()
        cred = auth.split("Credential=", 1)[-1].split(",", 1)[0]
        scopes.append(cred.split("/")[2] if cred.count("/") >= 4 else "")

    wrong = client(args.endpoint, "eu-west-3")
    wrong.meta.events.register("before-send.s3", record)
    try:
        wrong.list_buckets()
        out["wrong_region_list_buckets"] = {"code": None}
    except botocore.exceptions.ClientError as e:
        out["wrong_region_list_buckets"] = error_of(e)
    scopes.clear()
    out["wrong_region_head_object"] = wrong.head_object(Bucket=args.bucket, Key="redirect")["ContentLength"]
    out["wrong_region_scopes"] = list(scopes)

    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
