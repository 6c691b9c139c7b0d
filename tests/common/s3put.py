"""Test helper: uploads a directory tree to a bucket of a local S3 server.

usage: s3put.py ENDPOINT BUCKET DIR [PREFIX]
Creates the bucket if needed; every file under DIR becomes PREFIX + its relative path.
"""
import os
import sys

import boto3

endpoint, bucket, root = sys.argv[1], sys.argv[2], sys.argv[3]
prefix = sys.argv[4] if len(sys.argv) > 4 else ""
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    aws_access_key_id="test",
    aws_secret_access_key="test",
    region_name="us-east-1",
)
try:
    s3.create_bucket(Bucket=bucket)
except s3.exceptions.BucketAlreadyOwnedByYou:
    pass
for base, _, files in os.walk(root):
    for name in sorted(files):
        path = os.path.join(base, name)
        key = prefix + os.path.relpath(path, root).replace(os.sep, "/")
        with open(path, "rb") as f:
            s3.put_object(Bucket=bucket, Key=key, Body=f.read())
