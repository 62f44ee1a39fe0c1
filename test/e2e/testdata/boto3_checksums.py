"""boto3 flexible-checksum driver for test/e2e/boto3_checksum_test.go.

Usage: boto3_checksums.py ENDPOINT BUCKET. Runs, with boto3 at its
defaults (botocore's request_checksum_calculation=when_supported: CRC32,
as a header over http and an aws-chunked trailer over https), PutObject
with each algorithm botocore computes without awscrt, and CRC32 and SHA256
multipart uploads (COMPOSITE: Debian's botocore model has no ChecksumType
parameter), each completed first with a wrong and then with the right
whole-object checksum, and prints one JSON object of what the gateway
answered; the Go test asserts on it.
"""

import base64
import hashlib
import json
import sys
import zlib

import boto3
import botocore.exceptions


def b64(raw):
    return base64.b64encode(raw).decode()


def crc32(data):
    return b64(zlib.crc32(data).to_bytes(4, "big"))


def sha(name, data):
    return b64(hashlib.new(name, data).digest())


def data(n, seed):
    out = bytearray()
    block = hashlib.sha256(str(seed).encode()).digest()
    while len(out) < n:
        out += block
        block = hashlib.sha256(block).digest()
    return bytes(out[:n])


def checksum_type(resp):
    # Debian's botocore model has no ChecksumType member: read the header.
    return resp["ResponseMetadata"]["HTTPHeaders"].get("x-amz-checksum-type")


def error_of(fn):
    try:
        fn()
    except botocore.exceptions.ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"].get("Message", ""),
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


def main():
    endpoint, bucket = sys.argv[1], sys.argv[2]
    c = boto3.session.Session().client("s3", endpoint_url=endpoint)
    out = {"put": {}, "multipart": {}}
    body = data(70000, 1)
    expect = {"CRC32": crc32(body), "SHA1": sha("sha1", body), "SHA256": sha("sha256", body)}
    for alg, want in expect.items():
        key = "boto3-" + alg
        c.put_object(Bucket=bucket, Key=key, Body=body, ChecksumAlgorithm=alg)
        head = c.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        out["put"][alg] = {"want": want, "got": head.get("Checksum" + alg), "type": checksum_type(head)}
    wrong = error_of(lambda: c.put_object(Bucket=bucket, Key="boto3-wrong", Body=body, ChecksumCRC32=crc32(b"other")))
    out["put_wrong"] = wrong

    parts = [data(5 << 20, 2), data(1000, 3)]
    for alg in ("CRC32", "SHA256"):
        key = "boto3-mp-" + alg
        up = c.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm=alg)
        done = []
        for i, p in enumerate(parts, 1):
            r = c.upload_part(Bucket=bucket, Key=key, UploadId=up["UploadId"], PartNumber=i, Body=p, ChecksumAlgorithm=alg)
            done.append({"PartNumber": i, "ETag": r["ETag"], "Checksum" + alg: r["Checksum" + alg]})
        raw = b"".join(base64.b64decode(p["Checksum" + alg]) for p in done)
        right = (crc32(raw) if alg == "CRC32" else sha("sha256", raw)) + "-%d" % len(done)

        def complete(value):
            return c.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up["UploadId"],
                                               MultipartUpload={"Parts": done},
                                               **{"Checksum" + alg: value})
        bad = error_of(lambda: complete(crc32(b"x") if alg == "CRC32" else sha("sha256", b"x")))
        res = complete(right)
        head = c.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        out["multipart"][alg] = {"wrong": bad, "want": right, "complete": res.get("Checksum" + alg),
                                 "head": head.get("Checksum" + alg), "head_type": checksum_type(head)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
