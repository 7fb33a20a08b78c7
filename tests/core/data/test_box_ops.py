"""`ddp.data.ops`, torchvision.ops' box operations: the expected values are hand-checked or torchvision 0.29's
outputs for the same calls (computed once with it; torchvision is not needed here)."""
import numpy as np
import pytest

import ddp
from ddp.data import ops

BOXES = ddp.tensor([[0., 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 9], [21, 21, 29, 31]])
SCORES = ddp.tensor([0.9, 0.8, 0.7, 0.95, 0.6])


def test_box_area_and_iou():
    assert ops.box_area(BOXES).tolist() == [100, 100, 100, 90, 80]
    iou = ops.box_iou(BOXES[:2], BOXES).numpy()
    np.testing.assert_allclose(iou, [[1, 81 / 119, 0, 0.9, 0], [81 / 119, 1, 0, 0.6102, 0]], atol=1e-4)
    assert ops.box_iou(BOXES, BOXES[:0]).shape == (5, 0)
    ints = ddp.tensor([[0, 0, 2, 2], [1, 1, 3, 4]])
    assert ops.box_area(ints).dtype == ddp.int64 and ops.box_iou(ints, ints).dtype == ddp.float32


def test_box_convert_round_trips():
    xywh = ops.box_convert(BOXES, "xyxy", "xywh")
    assert xywh.tolist()[4] == [21, 21, 8, 10]
    assert ops.box_convert(BOXES, "xyxy", "cxcywh").tolist()[4] == [25, 26, 8, 10]
    for fmt in ("xywh", "cxcywh"):
        back = ops.box_convert(ops.box_convert(BOXES, "xyxy", fmt), fmt, "xyxy")
        np.testing.assert_allclose(back.numpy(), BOXES.numpy())
        np.testing.assert_allclose(ops.box_area(ops.box_convert(BOXES, "xyxy", fmt), fmt=fmt).numpy(),
                                   ops.box_area(BOXES).numpy())
    np.testing.assert_allclose(ops.box_iou(xywh, xywh, fmt="xywh").numpy(), ops.box_iou(BOXES, BOXES).numpy())
    with pytest.raises(ValueError, match="out_fmt must be one of"):
        ops.box_convert(BOXES, "xyxy", "yxyx")
    with pytest.raises(ValueError, match="box format must be one of"):
        ops.box_area(BOXES, fmt="xxyy")


def test_clip_and_remove_small_boxes():
    clipped = ops.clip_boxes_to_image(ddp.tensor([[-3., 2, 40, 50], [5, -1, 8, 9]]), (30, 20))
    assert clipped.tolist() == [[0, 2, 20, 30], [5, 0, 8, 9]]
    kept = ops.remove_small_boxes(BOXES, 9.5)
    assert kept.tolist() == [0, 1, 2] and kept.dtype == ddp.int64


def test_nms_and_batched_nms_match_torchvision():
    assert ops.nms(BOXES, SCORES, 0.5).tolist() == [3, 2]
    assert ops.batched_nms(BOXES, SCORES, ddp.tensor([0, 1, 0, 0, 0]), 0.5).tolist() == [3, 1, 2]
    assert ops.nms(BOXES, SCORES, 0.95).tolist() == [3, 0, 1, 2, 4]  # nothing above: all, by score
    assert ops.nms(BOXES[:0], SCORES[:0], 0.5).tolist() == [] and ops.nms(BOXES, SCORES, 0.5).dtype == ddp.int64
    empty = ddp.tensor([[1., 1, 1, 1], [1, 1, 1, 1]])  # IoU 0 / 0 is nan: not above the threshold, both kept
    assert ops.nms(empty, ddp.tensor([1.0, 0.5]), 0.5).tolist() == [0, 1]


def test_nms_against_a_reference_loop():
    rng = np.random.default_rng(0)
    xy, wh = rng.random((200, 2)) * 50, rng.random((200, 2)) * 20 + 1
    boxes, scores = np.concatenate([xy, xy + wh], 1), rng.random(200)
    order, keep, dead = np.argsort(-scores), [], set()
    iou = ops.box_iou(boxes, boxes).numpy()
    for i in order:  # the plain greedy definition
        if i not in dead:
            keep.append(i)
            dead |= set(np.flatnonzero(iou[i] > 0.4))
    assert ops.nms(boxes, scores, 0.4).tolist() == keep
