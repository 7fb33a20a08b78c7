"""Bounding-box operations, as `torchvision.ops` (importable as `ddp.data.ops`): areas, IoU, format
conversion, clipping, small-box removal and non-maximum suppression.

Boxes are Tensors (or arrays) (N, 4); "xyxy" is (x1, y1, x2, y2) with 0 <= x1 < x2 and 0 <= y1 < y2, "xywh"
(x1, y1, width, height) and "cxcywh" (center x, center y, width, height). Results are Tensors; none carries a
gradient (torchvision's box ops are used on detached boxes too).
"""
import numpy as np

from ..tensor import Tensor

__all__ = ["box_area", "box_convert", "box_iou", "clip_boxes_to_image", "remove_small_boxes", "nms", "batched_nms"]

FORMATS = ("xyxy", "xywh", "cxcywh")


def _array(x):
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


def _upcast(a):
    """Box coordinates in a type whose products do not overflow: float32/64 and int32/64 kept, others widened."""
    if a.dtype.kind == "f":
        return a if a.dtype in (np.float32, np.float64) else a.astype(np.float32)
    return a if a.dtype in (np.int32, np.int64) else a.astype(np.int64)


def _to_xyxy(a, fmt):
    if fmt not in FORMATS:
        raise ValueError(f"box format must be one of {FORMATS}, got {fmt!r}")
    if fmt == "xywh":
        return np.concatenate([a[..., :2], a[..., :2] + a[..., 2:]], -1)
    if fmt == "cxcywh":
        half = a[..., 2:] / 2
        return np.concatenate([a[..., :2] - half, a[..., :2] + half], -1)
    return a


def box_convert(boxes, in_fmt, out_fmt):
    """`boxes` (..., 4) from `in_fmt` to `out_fmt` ("xyxy", "xywh" or "cxcywh").

    Raises:
        ValueError: for another format.
    """
    a = _array(boxes)
    if out_fmt not in FORMATS:
        raise ValueError(f"box_convert: out_fmt must be one of {FORMATS}, got {out_fmt!r}")
    if in_fmt == out_fmt:
        _to_xyxy(a, in_fmt)  # checks the name
        return Tensor(a.copy())
    xyxy = _to_xyxy(a, in_fmt)
    if out_fmt == "xywh":
        return Tensor(np.concatenate([xyxy[..., :2], xyxy[..., 2:] - xyxy[..., :2]], -1))
    if out_fmt == "cxcywh":
        return Tensor(np.concatenate([(xyxy[..., :2] + xyxy[..., 2:]) / 2, xyxy[..., 2:] - xyxy[..., :2]], -1))
    return Tensor(xyxy)


def _area(xyxy):
    return (xyxy[..., 2] - xyxy[..., 0]) * (xyxy[..., 3] - xyxy[..., 1])


def box_area(boxes, fmt="xyxy"):
    """The area (N,) of each box: (x2 - x1) * (y2 - y1), or width * height for "xywh" and "cxcywh"."""
    a = _upcast(_array(boxes))
    _to_xyxy(a[:0], fmt)  # checks the name
    return Tensor(_area(a) if fmt == "xyxy" else a[..., 2] * a[..., 3])


def _iou(a, b):
    """IoU (N, M) of xyxy arrays a (N, 4) and b (M, 4); 0 / 0 (two empty boxes) gives nan, as torchvision."""
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(bottom_right - top_left, 0, None), axis=-1)
    union = _area(a)[:, None] + _area(b)[None, :] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = inter / union
    return iou.astype(np.float32) if a.dtype.kind in "iu" else iou


def box_iou(boxes1, boxes2, fmt="xyxy"):
    """Intersection over union (N, M) of every box of `boxes1` (N, 4) with every box of `boxes2` (M, 4)."""
    return Tensor(_iou(*(_to_xyxy(_upcast(_array(b)), fmt) for b in (boxes1, boxes2))))


def clip_boxes_to_image(boxes, size):
    """xyxy `boxes` (..., 4) clipped to an image of `size` (height, width): x to [0, width], y to [0, height]."""
    a, (height, width) = _array(boxes), size
    bound = np.array([width, height, width, height], np.float64)
    return Tensor(np.clip(a, 0, bound).astype(a.dtype))


def remove_small_boxes(boxes, min_size):
    """The indices (int64) of the xyxy `boxes` whose width and height are both at least `min_size`."""
    a = _array(boxes)
    keep = ((a[:, 2] - a[:, 0]) >= min_size) & ((a[:, 3] - a[:, 1]) >= min_size)
    return Tensor(np.flatnonzero(keep).astype(np.int64))


def nms(boxes, scores, iou_threshold):
    """Non-maximum suppression: the indices (int64) of the xyxy `boxes` (N, 4) kept, by decreasing score, each
    box dropped when its IoU with a higher-scored kept box is above `iou_threshold`.

    Greedy, as torchvision's: one vectorised IoU row per kept box (ties in score keep the earlier box first).
    """
    a, s = _upcast(_array(boxes)), _array(scores)
    if a.ndim != 2 or a.shape[-1] != 4 or s.shape != a.shape[:1]:
        raise ValueError(f"nms: expected boxes (N, 4) and scores (N,), got {a.shape} and {s.shape}")
    rest, keep = np.argsort(-s, kind="stable"), []
    while rest.size:
        best, rest = rest[0], rest[1:]
        keep.append(best)
        rest = rest[~(_iou(a[best:best + 1], a[rest])[0] > iou_threshold)]  # nan (empty boxes) is not above
    return Tensor(np.array(keep, np.int64))


def batched_nms(boxes, scores, idxs, iou_threshold):
    """`nms` within each category `idxs` (N,): boxes of different categories never suppress each other (each
    category's boxes are shifted apart by more than the largest coordinate, as torchvision does)."""
    a, labels = _upcast(_array(boxes)), _array(idxs)
    if a.size == 0:
        return Tensor(np.zeros(0, np.int64))
    shift = labels.astype(a.dtype) * (a.max() + 1)
    return nms(a + shift[:, None], scores, iou_threshold)
