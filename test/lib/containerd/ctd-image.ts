// An OCI image-layout archive built offline from a root filesystem directory, for
// `ctr image import` (no registry can be reached here). One uncompressed layer, a config
// with the image's default command, a manifest and an index naming the image.

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../bed/bed.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const CONFIG = 'application/vnd.oci.image.config.v1+json';
const LAYER = 'application/vnd.oci.image.layer.v1.tar';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

const sha256 = (data: Buffer): string =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;

const describe = (mediaType: string, data: Buffer): Descriptor => ({
  mediaType,
  digest: sha256(data),
  size: data.length,
});

/** The config, manifest and index of a one-layer image (pure). `name` is the full
 *  reference containerd files it under (`docker.io/cgt/busybox:latest`). */
export function imageDocuments(
  layer: Descriptor,
  name: string,
  cmd: readonly string[],
): { config: Buffer; manifest: Buffer; index: Buffer } {
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: cmd, Env: ['PATH=/bin:/sbin:/usr/bin'] },
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: describe(CONFIG, config),
      layers: [layer],
    }),
  );
  const tag = name.slice(name.lastIndexOf(':') + 1);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          ...describe(MANIFEST, manifest),
          annotations: {
            'io.containerd.image.name': name,
            'org.opencontainers.image.ref.name': tag,
          },
        },
      ],
    }),
  );
  return { config, manifest, index };
}

/** Writes `out`, an OCI layout tar of `rootfs` named `name`. */
export async function buildOciArchive(rootfs: string, out: string, name: string): Promise<void> {
  const dir = mkdtempSync(`${out}.build-`);
  try {
    const blobs = join(dir, 'blobs', 'sha256');
    mkdirSync(blobs, { recursive: true });
    const layerTar = join(dir, 'layer.tar');
    const tar = await runCommand('/bin/tar', ['-C', rootfs, '-cf', layerTar, '.']);
    if (tar.code !== 0) throw new Error(`tar of ${rootfs} failed: ${tar.stderr}`);
    const layer = describe(LAYER, readFileSync(layerTar));
    renameSync(layerTar, join(blobs, layer.digest.slice('sha256:'.length)));
    const docs = imageDocuments(layer, name, ['/bin/sh']);
    for (const blob of [docs.config, docs.manifest]) {
      writeFileSync(join(blobs, sha256(blob).slice('sha256:'.length)), blob);
    }
    writeFileSync(join(dir, 'index.json'), docs.index);
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    const pack = await runCommand('/bin/tar', [
      '-C',
      dir,
      '-cf',
      out,
      'oci-layout',
      'index.json',
      'blobs',
    ]);
    if (pack.code !== 0) throw new Error(`packing ${out} failed: ${pack.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
