// Drives ali-oss (Alibaba's OSS SDK for Node.js) at its defaults (V1
// signing, which sends x-oss-date and no Date) against the gateway:
// bucket creation, put/get/head/list/delete and a multipart upload of a
// file in 100 KB parts. It prints one JSON document describing what the
// SDK returned; the Go test (alioss_test.go) asserts on it. Any SDK error
// ends the script with its code and status on stderr and exit status 1.
//
// Environment: ENDPOINT (http://127.0.0.1:port), AK, SK, BUCKET, FILE (a
// file to upload in parts).
const OSS = require('ali-oss');
const fs = require('fs');
const crypto = require('crypto');

async function main() {
  const client = new OSS({
    endpoint: process.env.ENDPOINT,
    accessKeyId: process.env.AK,
    accessKeySecret: process.env.SK,
    bucket: process.env.BUCKET,
    region: 'oss-cn-hangzhou',
  });
  // The endpoint is an IP address: ali-oss addresses the bucket in the
  // path only with its "second-level domain" mode.
  client.useBucket(process.env.BUCKET);
  client.options.sldEnable = true;
  const out = {};

  await client.putBucket(process.env.BUCKET);
  const body = Buffer.from('hello from ali-oss');
  const put = await client.put('dir/hello.txt', body, { headers: { 'Content-Type': 'text/plain' }, meta: { color: 'blue' } });
  out.putStatus = put.res.status;
  out.putETag = put.res.headers.etag;

  const got = await client.get('dir/hello.txt');
  out.getBody = got.content.toString();
  out.getStatus = got.res.status;

  const head = await client.head('dir/hello.txt');
  out.headStatus = head.status;
  out.headMeta = head.meta;
  out.headLength = head.res.headers['content-length'];

  const list = await client.list({ prefix: 'dir/', 'max-keys': 10 });
  out.listKeys = (list.objects || []).map(o => o.name);

  const file = process.env.FILE;
  const mp = await client.multipartUpload('big.bin', file, { partSize: 100 * 1024, parallel: 2 });
  out.multipartStatus = mp.res.status;
  const big = await client.get('big.bin');
  out.multipartMD5 = crypto.createHash('md5').update(big.content).digest('hex');
  out.fileMD5 = crypto.createHash('md5').update(fs.readFileSync(file)).digest('hex');
  const bigHead = await client.head('big.bin');
  out.multipartETag = bigHead.res.headers.etag;

  await client.delete('dir/hello.txt');
  try {
    await client.head('dir/hello.txt');
    out.afterDelete = 'still there';
  } catch (e) {
    out.afterDelete = e.status;
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch(e => {
  process.stderr.write(`ali-oss: ${e.name} code=${e.code} status=${e.status}: ${e.message}\n`);
  process.exit(1);
});
