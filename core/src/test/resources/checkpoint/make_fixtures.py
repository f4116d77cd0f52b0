"""Generates the checkpoint test fixtures in this directory (run once; tests never need Python).

    /usr/bin/python3 make_fixtures.py   # Debian python3-torch 1.13 + numpy

* tiny.bin / tiny_proto4.bin: torch.save zip archives (pickle protocol 2 and 4) of a state dict with
  float16 / bfloat16 / float64 / integer / bool tensors, non-contiguous views, storage offsets,
  shared storages, a stride-0 expanded tensor, a 0-d tensor and an nn.Parameter.
* legacy.bin: the same dict in the pre-1.6 (non-zip) torch.save format.
* tiny_values.json: for every tensor of tiny.bin its dtype, shape and values (float32, C order),
  as torch itself reads them.
* dtypes.safetensors: one tensor per safetensors dtype, written byte by byte with the stdlib, with
  a float32 tensor at an address that is not a multiple of 4; values in dtypes_values.json.
* shared_spot_values.json: shapes, first/last values and float64 sums of a few tensors of the
  shared wav2vec2 test checkpoints, read with numpy (safetensors) and torch.load (pytorch_model.bin).
"""
import collections, io, json, os, struct
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "../../../../../shared/testdata/wav2vec2")
torch.manual_seed(7)


def tiny_state_dict():
    big = torch.randn(6, 4)
    d = collections.OrderedDict()
    d["f32"] = torch.randn(3, 4)
    d["f16"] = torch.randn(2, 5).half()
    d["bf16"] = torch.randn(4, 3).bfloat16()
    d["f64"] = torch.randn(5).double()
    d["i64"] = torch.arange(-3, 4)
    d["i32"] = torch.tensor([-70000, 5, 2 ** 30], dtype=torch.int32)
    d["i16"] = torch.tensor([-300, 7], dtype=torch.int16)
    d["i8"] = torch.tensor([-128, 0, 127], dtype=torch.int8)
    d["u8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    d["bool"] = torch.tensor([True, False, True])
    d["scalar"] = torch.tensor(3.5)
    d["transposed"] = torch.randn(3, 5).t()                 # strides (1, 5)
    d["f16_transposed"] = torch.randn(3, 4).half().t()
    d["big"] = big
    d["rows_2_to_5"] = big[2:5]                             # offset 8, contiguous, shared storage
    d["strided_view"] = big[1:, ::2]                        # offset 4, strides (4, 2)
    d["expanded"] = torch.randn(3, 1).expand(3, 4)          # stride 0
    d["param"] = torch.nn.Parameter(torch.randn(2, 2))      # torch._utils._rebuild_parameter
    d["empty"] = torch.zeros(0, 3)
    d._metadata = collections.OrderedDict([("", {"version": 1})])  # set through BUILD, like nn.Module.state_dict()
    return d


def save_zip(obj, path, folder, protocol):
    buf = io.BytesIO()
    torch.save(obj, buf, pickle_protocol=protocol)
    data = buf.getvalue()
    # torch names the top-level folder "archive" for file objects; rename it to show any name works
    import zipfile
    src = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as out:
        for info in src.infolist():
            name = folder + info.filename[info.filename.index("/"):]
            out.writestr(name, src.read(info.filename))


sd = tiny_state_dict()
save_zip(sd, os.path.join(HERE, "tiny.bin"), "tiny", 2)
save_zip(sd, os.path.join(HERE, "tiny_proto4.bin"), "some_other_folder", 4)
torch.save(sd, os.path.join(HERE, "legacy.bin"), _use_new_zipfile_serialization=False)

loaded = torch.load(os.path.join(HERE, "tiny.bin"))
values = collections.OrderedDict()
for name, t in loaded.items():
    values[name] = {"dtype": str(t.dtype), "shape": list(t.shape), "values": t.float().contiguous().flatten().tolist()}
with open(os.path.join(HERE, "tiny_values.json"), "w") as f:
    json.dump(values, f, indent=1)


# ---- safetensors with every dtype, written by hand ----
rng = np.random.RandomState(3)
f32 = rng.randn(2, 3).astype("<f4")
bf16_bits = (f32.view("<u4") + 0x7FFF + ((f32.view("<u4") >> 16) & 1)) >> 16   # round to nearest even
tensors = collections.OrderedDict()
tensors["a_u8"] = ("U8", [3], np.array([1, 128, 255], "<u1"))        # 3 bytes: what follows is misaligned
tensors["b_f32_misaligned"] = ("F32", [2, 3], f32)
tensors["c_f16"] = ("F16", [2, 3], rng.randn(2, 3).astype("<f2"))
tensors["d_bf16"] = ("BF16", [2, 3], bf16_bits.astype("<u2"))
tensors["e_f64"] = ("F64", [4], rng.randn(4).astype("<f8"))
tensors["f_i64"] = ("I64", [3], np.array([-5, 0, 1 << 40], "<i8"))
tensors["g_i32"] = ("I32", [2], np.array([-123456, 99], "<i4"))
tensors["h_i16"] = ("I16", [2], np.array([-2, 30000], "<i2"))
tensors["i_i8"] = ("I8", [2], np.array([-100, 100], "<i1"))
tensors["j_bool"] = ("BOOL", [3], np.array([1, 0, 1], "<u1"))
tensors["k_scalar"] = ("F32", [], np.array(2.5, "<f4"))
header, blobs, pos = {"__metadata__": {"format": "pt"}}, [], 0
expected = collections.OrderedDict()
for name, (dtype, shape, arr) in tensors.items():
    raw = arr.tobytes()
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [pos, pos + len(raw)]}
    blobs.append(raw)
    pos += len(raw)
    if dtype == "BF16":
        vals = (arr.astype("<u4") << 16).view("<f4")
    else:
        vals = arr.astype("<f4")
    expected[name] = {"dtype": dtype, "shape": shape, "values": [float(v) for v in vals.reshape(-1)]}
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * ((8 - len(text) % 8) % 8)
with open(os.path.join(HERE, "dtypes.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
with open(os.path.join(HERE, "dtypes_values.json"), "w") as f:
    json.dump(expected, f, indent=1)


# ---- spot values of the shared checkpoints ----
def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        hdr = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in hdr.items():
        if name == "__metadata__":
            continue
        b, en = e["data_offsets"]
        dt = {"F32": "<f4", "F16": "<f2"}[e["dtype"]]
        out[name] = np.frombuffer(data[b:en], dtype=dt).reshape(e["shape"])
    return out


spots = collections.OrderedDict()
for case in ["base-group", "large-layer", "ctc-base", "ctc-large-fp16", "ctc-bin"]:
    d = os.path.join(SHARED, case)
    if case == "ctc-bin":
        arrays = {k: v.numpy() for k, v in torch.load(os.path.join(d, "pytorch_model.bin")).items()}
    else:
        arrays = read_safetensors(os.path.join(d, "model.safetensors"))
    names = sorted(arrays)
    picks = [names[0], names[len(names) // 3], names[len(names) // 2], names[-1]]
    picks += [n for n in names if n.endswith("lm_head.weight") or n.endswith("weight_v") or n.endswith("original1")]
    spots[case] = collections.OrderedDict()
    spots[case]["count"] = len(names)
    spots[case]["tensors"] = collections.OrderedDict()
    for n in picks:
        a = arrays[n].astype(np.float32).reshape(-1)
        spots[case]["tensors"][n] = {"shape": list(arrays[n].shape), "first": [float(v) for v in a[:4]],
                                      "last": [float(v) for v in a[-4:]], "sum": float(a.astype(np.float64).sum())}
with open(os.path.join(HERE, "shared_spot_values.json"), "w") as f:
    json.dump(spots, f, indent=1)
