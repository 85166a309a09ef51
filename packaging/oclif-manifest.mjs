// Writes oclif.manifest.json for the staged package (argument: its lib dir). With the
// manifest, oclif loads only the command that runs instead of importing every command
// to list them. Only for the package: in the source tree a stale manifest would hide
// new commands.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const [root] = process.argv.slice(2);
if (!root) throw new Error('usage: node oclif-manifest.mjs LIBDIR');
const { Config } = await import(join(root, 'node_modules/@oclif/core/lib/index.js'));
const config = await Config.load(root);
const manifest = config.rootPlugin.manifest;
const ids = Object.keys(manifest.commands);
for (const id of ['doctor', 'inspect', 'repair', 'install:podman', 'validate']) {
  if (!ids.includes(id))
    throw new Error(`oclif manifest: command ${id} missing (have: ${ids.join(', ')})`);
}
writeFileSync(join(root, 'oclif.manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
