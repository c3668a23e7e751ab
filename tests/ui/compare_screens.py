#!/usr/bin/env python3
# Compares two folders of minyi-kiosk-screens PNGs row by row (before and after a change that must not show):
# identical files, else how many scanlines differ and where. Usage: compare_screens.py BEFORE AFTER
import sys, os, zlib, struct, hashlib
def rows(path):
    data = open(path, 'rb').read()
    pos, idat, w, h, bpp = 8, b'', 0, 0, 4
    while pos < len(data):
        n, t = struct.unpack('>I4s', data[pos:pos+8])
        body = data[pos+8:pos+8+n]
        if t == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
            bpp = {6: 4, 2: 3, 0: 1, 4: 2}[ctype]
        elif t == b'IDAT':
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp + 1
    return w, h, [raw[i*stride:(i+1)*stride] for i in range(h)]
a, b = sys.argv[1], sys.argv[2]
same = differ = missing = 0
report = []
for root, _, files in os.walk(a):
    for f in sorted(files):
        if not f.endswith('.png'): continue
        pa = os.path.join(root, f); pb = os.path.join(b, os.path.relpath(pa, a))
        if not os.path.exists(pb): missing += 1; report.append('missing ' + pb); continue
        if open(pa,'rb').read() == open(pb,'rb').read(): same += 1; continue
        wa, ha, ra = rows(pa); wb, hb, rb = rows(pb)
        if (wa, ha) != (wb, hb): differ += 1; report.append(f'{pb}: size {wa}x{ha} vs {wb}x{hb}'); continue
        d = [i for i in range(ha) if ra[i] != rb[i]]
        if not d: same += 1; continue
        differ += 1
        report.append(f'{os.path.relpath(pb, b)}: {len(d)} of {ha} rows differ, {d[0]}..{d[-1]}')
print(f'{same} identical, {differ} differ, {missing} missing')
for r in report: print(r)
