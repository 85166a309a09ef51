// The cgroup paths recorded in a CRIU image's cgroup.img: where CRIU will (re)create
// cgroups on restore. A minimal protobuf reader for the few messages involved
// (images/cgroup.proto): cgroup_entry { repeated cg_set_entry sets = 1; ... },
// cg_set_entry { uint32 id = 1; repeated cg_member_entry ctls = 2 },
// cg_member_entry { string name = 1; string path = 2; ... }.

export const IMG_COMMON_MAGIC = 0x54564319;
export const CGROUP_MAGIC = 0x59383330;

interface Field {
  number: number;
  wireType: number;
  /** For length-delimited fields. */
  bytes?: Uint8Array;
  varint?: number;
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const byte = buf[pos++] as number;
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7;
    if (shift > 63) throw new Error('varint too long');
  }
}

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, next] = readVarint(buf, pos);
    pos = next;
    const number = Math.floor(key / 8);
    const wireType = key & 7;
    if (wireType === 0) {
      const [value, after] = readVarint(buf, pos);
      out.push({ number, wireType, varint: value });
      pos = after;
    } else if (wireType === 2) {
      const [length, after] = readVarint(buf, pos);
      if (after + length > buf.length) throw new Error('truncated field');
      out.push({ number, wireType, bytes: buf.subarray(after, after + length) });
      pos = after + length;
    } else if (wireType === 1) {
      pos += 8;
    } else if (wireType === 5) {
      pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wireType}`);
    }
  }
  return out;
}

const text = new TextDecoder();

export interface ImageCgroupMember {
  /** Controller field as CRIU recorded it ('cpu,cpuacct', 'name=systemd', '' for v2). */
  name: string;
  path: string;
}

/** Every distinct (controller, path) of every cgroup set in a cgroup.img. */
export function parseCgroupImage(data: Uint8Array): ImageCgroupMember[] {
  if (data.length < 8) throw new Error('cgroup.img too short');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (view.getUint32(0, true) !== IMG_COMMON_MAGIC || view.getUint32(4, true) !== CGROUP_MAGIC) {
    throw new Error('not a CRIU cgroup image');
  }
  const seen = new Set<string>();
  const members: ImageCgroupMember[] = [];
  let pos = 8;
  while (pos + 4 <= data.length) {
    const size = view.getUint32(pos, true);
    pos += 4;
    if (pos + size > data.length) throw new Error('truncated cgroup entry');
    const entry = data.subarray(pos, pos + size);
    pos += size;
    for (const set of fields(entry)) {
      if (set.number !== 1 || !set.bytes) continue;
      for (const ctl of fields(set.bytes)) {
        if (ctl.number !== 2 || !ctl.bytes) continue;
        let name = '';
        let path = '';
        for (const f of fields(ctl.bytes)) {
          if (f.number === 1 && f.bytes) name = text.decode(f.bytes);
          if (f.number === 2 && f.bytes) path = text.decode(f.bytes);
        }
        const key = `${name}\0${path}`;
        if (seen.has(key)) continue;
        seen.add(key);
        members.push({ name, path });
      }
    }
  }
  return members;
}
